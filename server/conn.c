/*
 * conn.c: client connections: reading lines under a flood budget,
 * queuing output under soft and hard limits, writing it once per loop
 * turn, and closing only at the loop's safe point.
 */
#define _DEFAULT_SOURCE
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conn.h"
#include "linebuf.h"
#include "loop.h"
#include "net.h"
#include "outq.h"
#include "proto.h"
#include "stream.h"

#define CONN_READBUF	16384	/* bytes read at once */
#define CONN_SNDBUF	32768	/* kernel send buffer, so the limits count */
#define CONN_LINGER_MS	5000	/* longest wait to write a last word */
#define CONN_DRAIN_MS	1000	/* longest wait for the peer to close */

#define CONN_EOF	0x001	/* the peer will send nothing more */
#define CONN_EOFSEEN	0x002	/* and eof() was called */
#define CONN_THROTTLED	0x004	/* out of flood budget; not reading */
#define CONN_FULL	0x008	/* input buffer full of held lines */
#define CONN_CLOSING	0x010	/* closed; freed at the next safe point */
#define CONN_LINGER	0x020	/* close once the output is written */
#define CONN_DRAINING	0x040	/* output ended; waiting for the peer */
#define CONN_OVERFLOW	0x080	/* past its send queue; to be dropped */
#define CONN_FLUSHQ	0x100	/* on the flush queue */
#define CONN_INPUTQ	0x200	/* on the input queue */
#define CONN_DRAINED	0x400	/* wants drained() */

struct conn {
	struct conns		*set;
	struct stream		*s;
	int			 fd;
	char			 addr[NET_ADDRLEN];
	struct linebuf		*in;
	struct outq		*out;
	int			 flags;
	const char		*reason;	/* why it closed */
	const struct conn_cb	*cb;
	void			*arg;

	double			 tokens;	/* flood budget, in lines */
	int64_t			 tokens_at;	/* when refilled, microseconds */
	uint64_t		 first_read;	/* monotonic ms */
	uint64_t		 last_read;
	unsigned		 idle_ms;
	uint64_t		 over_since;	/* past the soft limit since */
	/* The flood budget's wait while reading; the close's deadline after. */
	struct loop_timer	 timer;

	struct conn		*prev, *next;
	struct conn		*flush_next, *overflow_next, *reap_next;
	struct conn		*input_next;
};

struct conns {
	struct loop		*loop;
	struct conn_limits	 lim;
	struct conn		*head;
	int			 count;
	struct conn		*flushq;	/* with new output */
	struct conn		*overflowq;	/* past their send queue */
	struct conn		*reapq;		/* closed, to free */
	struct conn		*inputq;	/* streams holding read bytes */
};

static void	conn_io(int, int, void *);
static void	conn_read(struct conn *);
static void	conn_discard(struct conn *);
static int	conn_budget(struct conn *);
static void	conn_process(struct conn *);
static void	conn_resume(void *);
static void	conn_watch(struct conn *);
static void	conn_flush(struct conn *);
static ssize_t	conn_writer(void *, const struct iovec *, int);
static void	conn_queued(struct conn *);
static int	conn_over(struct conn *);
static void	conn_overflow(struct conn *, const char *);
static void	conn_end_output(struct conn *);
static void	conn_reap(struct conn *);
static void	conn_deadline(void *);

struct conns *
conns_new(struct loop *loop, const struct conn_limits *lim)
{
	struct conns	*set;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		return NULL;
	set->loop = loop;
	set->lim = *lim;
	return set;
}

void
conns_free(struct conns *set)
{
	struct conn	*c;

	if (set == NULL)
		return;
	while ((c = set->head) != NULL) {
		loop_timer_cancel(set->loop, &c->timer);
		conn_reap(c);
	}
	free(set);
}

int
conns_count(const struct conns *set)
{
	return set->count;
}

struct conn *
conn_new(struct conns *set, struct stream *s, const char *addr,
    const struct conn_cb *cb, void *arg)
{
	struct conn	*c;
	int		 sz = CONN_SNDBUF;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->set = set;
	c->s = s;
	c->fd = stream_fd(s);
	c->cb = cb;
	c->arg = arg;
	snprintf(c->addr, sizeof(c->addr), "%s", addr);
	c->in = linebuf_new(PROTO_MAXLINE, CONN_READBUF, LINEBUF_TELNET);
	c->out = outq_new();
	if (c->in == NULL || c->out == NULL ||
	    loop_add(set->loop, c->fd, LOOP_READ, conn_io, c) == -1) {
		linebuf_free(c->in);
		outq_free(c->out);
		free(c);
		return NULL;
	}
	(void)setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	(void)net_nodelay(c->fd);
	c->tokens = set->lim.flood_burst;
	c->tokens_at = clock_us();
	c->last_read = loop_now(set->loop);
	c->next = set->head;
	if (set->head != NULL)
		set->head->prev = c;
	set->head = c;
	set->count++;
	return c;
}

static void
conn_io(int fd, int ready, void *arg)
{
	struct conn	*c = arg;

	(void)fd;
	if (ready & LOOP_WRITE)
		conn_flush(c);
	if (!(ready & LOOP_READ) || (c->flags & CONN_CLOSING))
		return;
	if (c->flags & CONN_DRAINING)
		conn_discard(c);
	else if (!(c->flags & CONN_LINGER))
		conn_read(c);
}

/* Watches for what the connection and its stream wait for. */
static void
conn_watch(struct conn *c)
{
	int	mask = 0;

	if (c->flags & CONN_CLOSING)
		return;
	if (c->flags & CONN_DRAINING)
		mask |= LOOP_READ;
	else if (!(c->flags & (CONN_EOF | CONN_THROTTLED | CONN_FULL |
	    CONN_LINGER)))
		mask |= LOOP_READ;
	if (outq_len(c->out) > 0)
		mask |= LOOP_WRITE;
	loop_set(c->set->loop, c->fd, mask | stream_events(c->s));
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
		c->flags |= CONN_FULL;
		conn_watch(c);
		return;
	}
	if ((n = stream_read(c->s, p, avail)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			conn_watch(c);
			return;
		}
		conn_close(c, errno == ECONNRESET ? "connection reset" :
		    "read error");
		return;
	}
	if (n == 0)
		c->flags |= CONN_EOF;
	else {
		linebuf_commit(c->in, (size_t)n);
		c->last_read = loop_now(c->set->loop);
		if (c->first_read == 0)
			c->first_read = c->last_read;
	}
	/* Bytes the stream holds are invisible to select(). */
	if (stream_pending(c->s) > 0 && !(c->flags & CONN_INPUTQ)) {
		c->flags |= CONN_INPUTQ;
		c->input_next = c->set->inputq;
		c->set->inputq = c;
	}
	conn_process(c);
}

/* After the output ended: input is read and dropped until the end. */
static void
conn_discard(struct conn *c)
{
	char	buf[4096];
	ssize_t	n;

	while ((n = stream_read(c->s, buf, sizeof(buf))) > 0)
		;
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR))
		conn_close(c, c->reason);
}

/*
 * True if the connection may have another line: a token bucket of
 * flood_burst lines refilled at flood_rate lines a second.
 */
static int
conn_budget(struct conn *c)
{
	const struct conn_limits	*lim = &c->set->lim;
	int64_t				 now = clock_us();

	if (lim->flood_rate <= 0)
		return 1;
	c->tokens += (double)(now - c->tokens_at) * lim->flood_rate / 1e6;
	if (c->tokens > lim->flood_burst)
		c->tokens = lim->flood_burst;
	c->tokens_at = now;
	return c->tokens >= 1;
}

/* Hands up the lines that are in, as the flood budget allows. */
static void
conn_process(struct conn *c)
{
	const struct conn_limits	*lim = &c->set->lim;
	char				*line;
	size_t				 len;
	uint64_t			 ms;
	int				 r;

	c->flags &= ~CONN_FULL;
	while (!(c->flags & (CONN_CLOSING | CONN_LINGER))) {
		if (!conn_budget(c)) {
			if (!linebuf_ready(c->in))
				break;
			/* Slow it down: its lines wait in its buffer. */
			c->flags |= CONN_THROTTLED;
			ms = (uint64_t)((1 - c->tokens) * 1000 /
			    lim->flood_rate) + 1;
			loop_timer_set(c->set->loop, &c->timer, ms,
			    conn_resume, c);
			conn_watch(c);
			return;
		}
		if ((r = linebuf_next(c->in, &line, &len)) == LINEBUF_NONE)
			break;
		if (lim->flood_rate > 0)
			c->tokens -= 1;
		if (r == LINEBUF_TOOLONG)
			c->cb->toolong(c->arg);
		else
			c->cb->line(c->arg, line, len);
	}
	/* Between lines an idle connection holds no input buffer. */
	linebuf_trim(c->in);
	if (c->flags & (CONN_CLOSING | CONN_LINGER))
		return;
	if ((c->flags & (CONN_EOF | CONN_EOFSEEN)) == CONN_EOF) {
		c->flags |= CONN_EOFSEEN;
		c->cb->eof(c->arg);
		return;
	}
	conn_watch(c);
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
	struct conns	*set = c->set;

	if (!(c->flags & CONN_FLUSHQ)) {
		c->flags |= CONN_FLUSHQ;
		c->flush_next = set->flushq;
		set->flushq = c;
	}
	if (outq_len(c->out) <= set->lim.sendq)
		return;
	if (c->over_since == 0)
		c->over_since = loop_now(set->loop);
	if (!conn_over(c))
		return;
	/* A fast reader may just have had a big turn: try to write first. */
	if (outq_write(c->out, conn_writer, c) >= 0 &&
	    outq_len(c->out) <= set->lim.sendq) {
		c->over_since = 0;
		return;
	}
	if (conn_over(c))
		conn_overflow(c, "send queue exceeded");
}

/*
 * True past the hard limit, or past the soft limit for too long: a
 * queue over the soft limit for a moment is a reader that paused, not a
 * slow consumer.
 */
static int
conn_over(struct conn *c)
{
	const struct conn_limits	*lim = &c->set->lim;
	size_t				 len = outq_len(c->out);

	if (len > lim->sendq_hard)
		return 1;
	return len > lim->sendq && c->over_since != 0 &&
	    loop_now(c->set->loop) - c->over_since >= lim->sendq_ms;
}

/*
 * Drops what a connection has queued; it is closed at the safe point,
 * not here, where a room may be going through its members.
 */
static void
conn_overflow(struct conn *c, const char *reason)
{
	if (c->flags & (CONN_OVERFLOW | CONN_CLOSING))
		return;
	if (c->reason == NULL)
		c->reason = reason;
	c->flags |= CONN_OVERFLOW;
	outq_clear(c->out);
	c->overflow_next = c->set->overflowq;
	c->set->overflowq = c;
}

void
conn_send(struct conn *c, const void *data, size_t len)
{
	if (c->flags & (CONN_CLOSING | CONN_OVERFLOW | CONN_DRAINING))
		return;
	if (outq_append(c->out, data, len) == -1) {
		conn_overflow(c, "out of memory");
		return;
	}
	conn_queued(c);
}

void
conn_send_block(struct conn *c, struct block *b, size_t off, size_t len)
{
	if (c->flags & (CONN_CLOSING | CONN_OVERFLOW | CONN_DRAINING))
		return;
	if (outq_append_block(c->out, b, off, len) == -1) {
		conn_overflow(c, "out of memory");
		return;
	}
	conn_queued(c);
}

size_t
conn_space(const struct conn *c)
{
	size_t	mark = c->set->lim.sendq / 2, len = outq_len(c->out);

	if (c->flags & (CONN_CLOSING | CONN_OVERFLOW | CONN_DRAINING))
		return 0;
	return len < mark ? mark - len : 0;
}

void
conn_want_drained(struct conn *c, int on)
{
	if (on)
		c->flags |= CONN_DRAINED;
	else
		c->flags &= ~CONN_DRAINED;
}

void
conn_set_idle(struct conn *c, unsigned ms)
{
	c->idle_ms = ms;
}

void
conn_keepalive(struct conn *c)
{
	(void)net_keepalive(c->fd);
}

const char *
conn_addr(const struct conn *c)
{
	return c->addr;
}

uint64_t
conn_first_byte(const struct conn *c)
{
	return c->first_read;
}

void
conn_close(struct conn *c, const char *reason)
{
	struct conns	*set = c->set;

	if (c->flags & CONN_CLOSING)
		return;
	c->flags |= CONN_CLOSING;
	c->flags &= ~(CONN_LINGER | CONN_DRAINING);
	if (c->reason == NULL)
		c->reason = reason;
	loop_set(set->loop, c->fd, 0);
	loop_timer_cancel(set->loop, &c->timer);
	outq_clear(c->out);
	c->reap_next = set->reapq;
	set->reapq = c;
	c->cb->closed(c->arg, c->reason);
}

void
conn_linger(struct conn *c, const char *reason)
{
	struct conns	*set = c->set;

	if (c->flags & (CONN_CLOSING | CONN_LINGER | CONN_DRAINING))
		return;
	c->flags |= CONN_LINGER;
	c->flags &= ~CONN_DRAINED;
	if (c->reason == NULL)
		c->reason = reason;
	loop_timer_set(set->loop, &c->timer, CONN_LINGER_MS, conn_deadline, c);
	/* Ended by the flush once the queue is empty. */
	if (!(c->flags & CONN_FLUSHQ)) {
		c->flags |= CONN_FLUSHQ;
		c->flush_next = set->flushq;
		set->flushq = c;
	}
	conn_watch(c);
}

/*
 * Everything is written: end the output and read what the peer still
 * sends until it closes, since closing with unread input resets the
 * connection and may destroy the last words before they are read.
 */
static void
conn_end_output(struct conn *c)
{
	c->flags &= ~CONN_LINGER;
	c->flags |= CONN_DRAINING;
	if (stream_shutdown(c->s) == -1) {
		conn_close(c, c->reason);
		return;
	}
	loop_timer_set(c->set->loop, &c->timer, CONN_DRAIN_MS, conn_deadline,
	    c);
	conn_watch(c);
	conn_discard(c);
}

/* The last word took too long to write, or the peer to close. */
static void
conn_deadline(void *arg)
{
	struct conn	*c = arg;

	conn_close(c, c->reason);
}

static ssize_t
conn_writer(void *arg, const struct iovec *iov, int n)
{
	struct conn	*c = arg;

	return stream_writev(c->s, iov, n);
}

/* Writes what the stream takes; watches for writability while bytes wait. */
static void
conn_flush(struct conn *c)
{
	size_t	len;

	if (c->flags & (CONN_CLOSING | CONN_DRAINING))
		return;
	if (outq_len(c->out) > 0 &&
	    outq_write(c->out, conn_writer, c) == -1) {
		conn_close(c, errno == EPIPE || errno == ECONNRESET ?
		    "connection reset" : "write error");
		return;
	}
	if ((len = outq_len(c->out)) <= c->set->lim.sendq)
		c->over_since = 0;
	if (len == 0 && (c->flags & CONN_LINGER)) {
		conn_end_output(c);
		return;
	}
	if ((c->flags & CONN_DRAINED) && len <= c->set->lim.sendq / 4) {
		c->cb->drained(c->arg);
		if (c->flags & CONN_CLOSING)
			return;
	}
	conn_watch(c);
}

void
conns_input(struct conns *set)
{
	struct conn	*c;

	while ((c = set->inputq) != NULL) {
		set->inputq = c->input_next;
		c->flags &= ~CONN_INPUTQ;
		if (!(c->flags & (CONN_CLOSING | CONN_LINGER | CONN_DRAINING |
		    CONN_THROTTLED | CONN_EOF)) && stream_pending(c->s) > 0)
			conn_read(c);
	}
}

void
conns_drop(struct conns *set)
{
	struct conn	*c;

	while ((c = set->overflowq) != NULL) {
		set->overflowq = c->overflow_next;
		conn_close(c, c->reason);
	}
}

void
conns_flush(struct conns *set)
{
	struct conn	*c;

	while ((c = set->flushq) != NULL) {
		set->flushq = c->flush_next;
		c->flags &= ~CONN_FLUSHQ;
		conn_flush(c);
	}
}

int
conns_busy(const struct conns *set)
{
	return set->overflowq != NULL || set->flushq != NULL;
}

void
conns_reap(struct conns *set)
{
	struct conn	*c;

	while ((c = set->reapq) != NULL) {
		set->reapq = c->reap_next;
		conn_reap(c);
	}
}

/* Frees a closed connection: nothing refers to it any more. */
static void
conn_reap(struct conn *c)
{
	struct conns	*set = c->set;

	loop_del(set->loop, c->fd);
	stream_close(c->s);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		set->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	set->count--;
	linebuf_free(c->in);
	outq_free(c->out);
	free(c);
}

void
conns_sweep(struct conns *set)
{
	struct conn	*c;
	uint64_t	 now = loop_now(set->loop);

	for (c = set->head; c != NULL; c = c->next) {
		if (c->flags & (CONN_CLOSING | CONN_LINGER | CONN_DRAINING))
			continue;
		if (conn_over(c))
			conn_overflow(c, "send queue exceeded");
		else if (c->idle_ms > 0 && now - c->last_read > c->idle_ms) {
			c->last_read = now;
			c->cb->idle(c->arg);
		}
	}
}
