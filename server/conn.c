/*
 * conn.c: client connections: accepting them, reading lines under a
 * flood budget, queuing output under a cap, writing it once per loop
 * turn, and closing them only at the loop's safe point.
 */
#define _DEFAULT_SOURCE
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chat.h"
#include "conn.h"
#include "linebuf.h"
#include "log.h"
#include "outq.h"
#include "room.h"
#include "server.h"

#define CONN_READBUF	16384	/* bytes read at once */
#define CONN_SNDBUF	32768	/* kernel send buffer, so --sendq counts */
#define CONN_REGISTER_MS 500	/* greet a silent client as text mode */
#define CONN_LINGER_MS	5000	/* longest wait to write a last word */
#define CONN_ACCEPTS	64	/* accepts per turn, to stay fair */
#define CONN_PAUSE_MS	1000	/* accept pause after EMFILE */

static void	conn_io(int, int, void *);
static void	conn_read(struct conn *);
static uint64_t	clock_us(void);
static int	conn_budget(struct conn *);
static void	conn_flush(struct conn *);
static void	conn_queued(struct conn *);
static void	conn_overflow(struct conn *, const char *);
static void	conn_reap(struct conn *);
static void	conn_reject(int);
static void	conn_resume(void *);
static void	conn_unpause(void *);
static void	conn_register_timeout(void *);

void
conn_accept(int lfd, int ready, void *arg)
{
	struct server		*srv = arg;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct conn		*c;
	int			 fd, i, n;

	(void)ready;
	for (n = 0; n < CONN_ACCEPTS; n++) {
		sslen = sizeof ss;
		if ((fd = accept(lfd, (struct sockaddr *)&ss, &sslen)) == -1) {
			if (errno == EMFILE || errno == ENFILE) {
				/* Pause rather than spin on a full table. */
				log_warn("accept");
				for (i = 0; i < srv->nlisten; i++)
					loop_set(srv->loop, srv->lfd[i], 0);
				srv->paused = 1;
				loop_timer_set(srv->loop, &srv->pause_timer,
				    CONN_PAUSE_MS, conn_unpause, srv);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		if (fd >= FD_SETSIZE || (srv->cf.max_clients > 0 &&
		    srv->nconns >= srv->cf.max_clients)) {
			log_info("refused a connection: server full");
			conn_reject(fd);
			continue;
		}
		if (net_nonblock(fd) == -1 || (c = conn_new(srv, fd)) == NULL) {
			log_warn("accept: cannot set up a connection");
			close(fd);
			continue;
		}
		net_addr_str((struct sockaddr *)&ss, sslen, c->addr,
		    sizeof c->addr);
		log_info("connect from %s (fd %d)", c->addr, fd);
	}
}

static void
conn_unpause(void *arg)
{
	struct server	*srv = arg;
	int		 i;

	srv->paused = 0;
	if (srv->shutting_down)
		return;
	for (i = 0; i < srv->nlisten; i++)
		loop_set(srv->loop, srv->lfd[i], LOOP_READ);
}

/* Tells a connection it cannot be served, and closes it. */
static void
conn_reject(int fd)
{
	static const char	 msg[] = "*** error: server full\r\n";
	char			 buf[512];
	ssize_t			 n;

	(void)net_nonblock(fd);
	/* If even this does not fit, the close says enough. */
	n = write(fd, msg, sizeof msg - 1);
	(void)n;
	shutdown(fd, SHUT_WR);
	/* Unread input would make close() reset the line, losing msg. */
	while (read(fd, buf, sizeof buf) > 0)
		;
	close(fd);
}

struct conn *
conn_new(struct server *srv, int fd)
{
	struct conn	*c;
	int		 sz = CONN_SNDBUF;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->srv = srv;
	c->fd = fd;
	c->in = linebuf_new(PROTO_MAXLINE, CONN_READBUF, LINEBUF_TELNET);
	c->out = outq_new();
	if (c->in == NULL || c->out == NULL ||
	    loop_add(srv->loop, fd, LOOP_READ, conn_io, c) == -1) {
		linebuf_free(c->in);
		if (c->out != NULL)
			outq_free(c->out);
		free(c);
		return NULL;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	(void)net_nodelay(fd);
	c->tokens = srv->cf.flood_burst;
	c->last_read = loop_now(srv->loop);
	c->tokens_at = clock_us();
	c->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
	loop_timer_set(srv->loop, &c->reg_timer, CONN_REGISTER_MS,
	    conn_register_timeout, c);
	return c;
}

static void
conn_register_timeout(void *arg)
{
	struct conn	*c = arg;

	if (c->mode == CONN_NEW && !(c->flags & (CONN_CLOSING | CONN_LINGER)))
		chat_register(c, NULL, 0);
}

static void
conn_io(int fd, int ready, void *arg)
{
	struct conn	*c = arg;

	(void)fd;
	if (ready & LOOP_WRITE)
		conn_flush(c);
	if ((ready & LOOP_READ) && !(c->flags & (CONN_CLOSING | CONN_LINGER)))
		conn_read(c);
}

static void
conn_read(struct conn *c)
{
	char	*p;
	size_t	 avail;
	ssize_t	 n;

	if ((p = linebuf_space(c->in, &avail)) == NULL) {
		conn_close(c, "out of memory");
		return;
	}
	if (avail == 0) {
		/* Full of lines held back: wait for them to be taken. */
		loop_want(c->srv->loop, c->fd, LOOP_READ, 0);
		return;
	}
	n = read(c->fd, p, avail);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		conn_close(c, errno == ECONNRESET ? "connection reset" :
		    "read error");
		return;
	}
	if (n == 0) {
		c->flags |= CONN_EOF;
		loop_want(c->srv->loop, c->fd, LOOP_READ, 0);
	} else {
		linebuf_commit(c->in, (size_t)n);
		c->last_read = loop_now(c->srv->loop);
	}
	conn_process(c);
}

/*
 * A monotonic clock in microseconds: the loop's milliseconds, truncated,
 * would let a bucket refill up to a millisecond early.
 */
static uint64_t
clock_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * True if the connection may have another line: a token bucket of
 * flood_burst lines refilled at flood_rate lines a second.
 */
static int
conn_budget(struct conn *c)
{
	struct server	*srv = c->srv;
	uint64_t	 now = clock_us();

	if (srv->cf.flood_rate <= 0)
		return 1;
	c->tokens += (double)(now - c->tokens_at) * srv->cf.flood_rate / 1e6;
	if (c->tokens > srv->cf.flood_burst)
		c->tokens = srv->cf.flood_burst;
	c->tokens_at = now;
	return c->tokens >= 1;
}

void
conn_process(struct conn *c)
{
	struct loop	*l = c->srv->loop;
	char		*line;
	size_t		 len;
	uint64_t	 ms;
	int		 r;

	while (!(c->flags & (CONN_CLOSING | CONN_LINGER))) {
		if (!conn_budget(c)) {
			if (linebuf_pending(c->in) == 0)
				break;
			/* Slow it down: its lines wait in its buffer. */
			c->flags |= CONN_THROTTLED;
			loop_want(l, c->fd, LOOP_READ, 0);
			ms = (uint64_t)((1 - c->tokens) * 1000 /
			    c->srv->cf.flood_rate) + 1;
			loop_timer_set(l, &c->flood_timer, ms, conn_resume, c);
			return;
		}
		if ((r = linebuf_next(c->in, &line, &len)) == LINEBUF_NONE)
			break;
		if (c->srv->cf.flood_rate > 0)
			c->tokens -= 1;
		if (r == LINEBUF_TOOLONG)
			chat_toolong(c);
		else
			chat_line(c, line, len);
	}
	/* Between lines an idle connection holds no input buffer. */
	linebuf_trim(c->in);
	if (c->flags & (CONN_CLOSING | CONN_LINGER))
		return;
	if (c->flags & CONN_EOF)
		chat_eof(c);
	else
		loop_want(l, c->fd, LOOP_READ, 1);
}

static void
conn_resume(void *arg)
{
	struct conn	*c = arg;

	c->flags &= ~CONN_THROTTLED;
	conn_process(c);
}

/* Puts a connection with new output on the queue flushed before sleep. */
static void
conn_queued(struct conn *c)
{
	struct server	*srv = c->srv;

	if (!(c->flags & CONN_FLUSHQ)) {
		c->flags |= CONN_FLUSHQ;
		c->flush_next = srv->flushq;
		srv->flushq = c;
	}
	if (outq_len(c->out) <= srv->cf.sendq)
		return;
	/* A fast reader may just have had a big turn: try to write first. */
	if (outq_flush(c->out, c->fd) >= 0 &&
	    outq_len(c->out) <= srv->cf.sendq)
		return;
	conn_overflow(c, "send queue exceeded");
}

/*
 * Drops what a connection has queued; it is closed at the safe point,
 * not here, where a room may be going through its members.
 */
static void
conn_overflow(struct conn *c, const char *reason)
{
	struct server	*srv = c->srv;

	if (c->reason == NULL)
		c->reason = reason;
	c->flags |= CONN_OVERFLOW;
	outq_clear(c->out);
	c->overflow_next = srv->overflowq;
	srv->overflowq = c;
}

void
conn_send(struct conn *c, const void *data, size_t len)
{
	if (c->flags & (CONN_CLOSING | CONN_OVERFLOW))
		return;
	/* What its room said before this comes first. */
	room_sync(c);
	if (c->flags & CONN_OVERFLOW)
		return;
	if (outq_append(c->out, data, len) == -1) {
		conn_close(c, "out of memory");
		return;
	}
	conn_queued(c);
}

void
conn_send_block(struct conn *c, struct block *b, size_t off, size_t len)
{
	if (c->flags & (CONN_CLOSING | CONN_OVERFLOW))
		return;
	if (outq_append_block(c->out, b, off, len) == -1) {
		conn_overflow(c, "out of memory");
		return;
	}
	conn_queued(c);
}

void
conn_send_frame(struct conn *c, const struct frame *f, int flags)
{
	char	*buf = c->srv->scratch;
	int	 n;

	if (c->mode == CONN_FRAME)
		n = frame_encode(f, buf, SERVER_SCRATCH);
	else
		n = proto_render_text(f, flags | RENDER_CRLF, buf,
		    SERVER_SCRATCH);
	if (n > 0)
		conn_send(c, buf, (size_t)n);
}

void
conn_close(struct conn *c, const char *reason)
{
	struct server	*srv = c->srv;

	if (c->flags & CONN_CLOSING)
		return;
	c->flags |= CONN_CLOSING;
	c->flags &= ~CONN_LINGER;
	if (c->reason == NULL)
		c->reason = reason;
	loop_set(srv->loop, c->fd, 0);
	loop_timer_cancel(srv->loop, &c->reg_timer);
	loop_timer_cancel(srv->loop, &c->flood_timer);
	outq_clear(c->out);
	chat_leave(c, reason, 1);
	c->reap_next = srv->reapq;
	srv->reapq = c;
}

void
conn_linger(struct conn *c, const char *reason)
{
	struct server	*srv = c->srv;

	if (c->flags & (CONN_CLOSING | CONN_LINGER))
		return;
	room_sync(c);
	c->flags |= CONN_LINGER;
	if (c->reason == NULL)
		c->reason = reason;
	c->linger_until = loop_now(srv->loop) + CONN_LINGER_MS;
	loop_want(srv->loop, c->fd, LOOP_READ, 0);
	loop_timer_cancel(srv->loop, &c->reg_timer);
	loop_timer_cancel(srv->loop, &c->flood_timer);
	/* Closed by the flush once the queue is empty. */
	if (!(c->flags & CONN_FLUSHQ)) {
		c->flags |= CONN_FLUSHQ;
		c->flush_next = srv->flushq;
		srv->flushq = c;
	}
}

/* Writes what the kernel takes; asks for writability while bytes wait. */
static void
conn_flush(struct conn *c)
{
	if (c->flags & CONN_CLOSING)
		return;
	if (outq_len(c->out) > 0 && outq_flush(c->out, c->fd) == -1) {
		conn_close(c, errno == EPIPE || errno == ECONNRESET ?
		    "connection reset" : "write error");
		return;
	}
	if (outq_len(c->out) > 0) {
		loop_want(c->srv->loop, c->fd, LOOP_WRITE, 1);
		return;
	}
	loop_want(c->srv->loop, c->fd, LOOP_WRITE, 0);
	if (c->flags & CONN_LINGER)
		conn_close(c, c->reason);
}

void
conn_before_sleep(void *arg)
{
	struct server	*srv = arg;
	struct conn	*c;

	while (srv->dirty != NULL || srv->overflowq != NULL ||
	    srv->flushq != NULL) {
		room_sync_all(srv);
		while ((c = srv->overflowq) != NULL) {
			srv->overflowq = c->overflow_next;
			conn_close(c, "send queue exceeded");
		}
		while ((c = srv->flushq) != NULL) {
			srv->flushq = c->flush_next;
			c->flags &= ~CONN_FLUSHQ;
			conn_flush(c);
		}
	}
	while ((c = srv->reapq) != NULL) {
		srv->reapq = c->reap_next;
		conn_reap(c);
	}
	if (srv->shutting_down && srv->conns == NULL)
		loop_stop(srv->loop);
}

/* Frees a closed connection: nothing refers to it any more. */
static void
conn_reap(struct conn *c)
{
	struct server	*srv = c->srv;

	log_info("disconnect from %s%s%s: %s", c->addr,
	    c->nick[0] != '\0' ? " nick " : "", c->nick,
	    c->reason != NULL ? c->reason : "closed");
	loop_del(srv->loop, c->fd);
	close(c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	srv->nconns--;
	linebuf_free(c->in);
	outq_free(c->out);
	free(c);
}

void
conn_sweep(struct server *srv)
{
	struct conn	*c;
	uint64_t	 now = loop_now(srv->loop);
	uint64_t	 dead = (uint64_t)srv->cf.dead_secs * 1000;

	for (c = srv->conns; c != NULL; c = c->next) {
		if (c->flags & CONN_CLOSING)
			continue;
		if (c->flags & CONN_LINGER) {
			if (now >= c->linger_until)
				conn_close(c, c->reason);
			continue;
		}
		if (c->mode == CONN_FRAME && dead > 0 &&
		    now - c->last_read > dead) {
			conn_close(c, "ping timeout");
			continue;
		}
	}
}

void
conn_free_all(struct server *srv)
{
	struct conn	*c;

	while ((c = srv->conns) != NULL) {
		if (!(c->flags & CONN_CLOSING)) {
			c->flags |= CONN_CLOSING;
			chat_leave(c, NULL, 0);
		}
		loop_timer_cancel(srv->loop, &c->reg_timer);
		loop_timer_cancel(srv->loop, &c->flood_timer);
		conn_reap(c);
	}
	srv->reapq = srv->flushq = srv->overflowq = NULL;
}
