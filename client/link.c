/*
 * link.c: one connection to the server at a time.  Every attempt, the
 * first and each reconnect, takes the same steps without blocking the
 * loop: a name lookup in a thread, a non-blocking connect() to each
 * address in turn, then the frame-mode hello.  _DEFAULT_SOURCE brings
 * TCP_QUICKACK on glibc.
 */
#define _DEFAULT_SOURCE
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "clock.h"
#include "linebuf.h"
#include "link.h"
#include "log.h"
#include "net.h"
#include "outq.h"
#include "proto.h"
#include "resolve.h"

#define LINK_READ_CHUNK		(256 * 1024)	/* the decoder's buffer */
#define LINK_READ_BUDGET	(1024 * 1024)	/* read a turn; then keys */
#define LINK_LOOKUP_MS		30000		/* for the name lookup */
#define LINK_CONNECT_MS		10000		/* per address tried */
#define LINK_RCVBUF		(4 << 20)	/* kernel receive buffer */
#define LINK_PING_TOKEN		"keepalive"

struct link {
	char			*host;
	char			*port;
	struct link_cb		 cb;
	enum link_state		 state;
	int			 fd;		/* the socket, -1 if none */
	struct resolve		*lookup;	/* a name lookup under way */
	struct addrinfo		*ai;		/* the addresses to try */
	struct addrinfo		*ainext;	/* the next one */
	int64_t			 deadline;	/* for the lookup or connect */
	char			 err[NET_ERRLEN];	/* why the last failed */

	struct linebuf		*in;
	struct outq		*out;
	uint64_t		 written;	/* bytes written */
	uint64_t		 queued;	/* bytes queued */
	size_t			 greeting;	/* text lines before the reply */
	int64_t			 last_rx;	/* when the server last spoke */
	int			 pinged;	/* a ping is out since then */
	unsigned		 pingno;
	int			 shut_wanted;	/* half-close once written */
	int			 shut;		/* our side is half-closed */

	struct backoff		 backoff;
	int64_t			 retry_at;
	int			 stopped;	/* no more attempts */
	uint32_t		 rnd;
};

static void	 start(struct link *, int64_t);
static void	 resolved(struct link *, int64_t);
static void	 try_next(struct link *, int64_t);
static void	 check_connect(struct link *, int64_t);
static void	 connected(struct link *, int, int64_t);
static int	 hello(struct link *, int, int64_t);
static void	 set_error(struct link *, const char *);
static void	 failed(struct link *, int64_t);
static void	 lost(struct link *, const char *, int64_t);
static void	 forget_try(struct link *);
static void	 do_read(struct link *, int64_t);
static void	 read_closed(struct link *, ssize_t, int64_t);
static void	 ack_now(int);
static void	 do_write(struct link *, int64_t);
static void	 maybe_shut(struct link *);
static void	 handle_line(struct link *, char *, size_t, int64_t);
static int	 greeting(const char *, size_t);
static void	 ping(struct link *);
static int	 own_pong(const struct link *, const struct frame *);
static int	 queue(struct link *, const char *, size_t);
static uint32_t	 next_rnd(struct link *);

struct link *
link_new(const char *host, const char *port, const struct link_cb *cb)
{
	struct link	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->fd = -1;
	l->cb = *cb;
	l->host = strdup(host);
	l->port = strdup(port);
	l->out = outq_new();
	if (l->host == NULL || l->port == NULL || l->out == NULL) {
		link_free(l);
		return NULL;
	}
	l->rnd = (uint32_t)clock_ms() ^ ((uint32_t)getpid() << 16) ^ 1;
	return l;
}

void
link_free(struct link *l)
{
	if (l == NULL)
		return;
	forget_try(l);
	if (l->fd != -1)
		close(l->fd);
	linebuf_free(l->in);
	outq_free(l->out);
	free(l->host);
	free(l->port);
	free(l);
}

int
link_fd(const struct link *l)
{
	return l->lookup != NULL ? resolve_fd(l->lookup) : l->fd;
}

short
link_events(const struct link *l)
{
	if (l->lookup != NULL)
		return POLLIN;
	if (l->fd == -1)
		return 0;
	if (l->state == LINK_CONNECTING)
		return POLLOUT;
	return POLLIN | (outq_len(l->out) > 0 ? POLLOUT : 0);
}

int
link_timeout(const struct link *l, int64_t now)
{
	int64_t	 at;

	switch (l->state) {
	case LINK_DOWN:
		if (l->stopped)
			return -1;
		at = l->retry_at;
		break;
	case LINK_CONNECTING:
		at = l->deadline;
		break;
	default:
		at = l->last_rx + (l->pinged ? PROTO_DEAD_SECS :
		    PROTO_PING_SECS) * 1000;
		break;
	}
	if (at <= now)
		return 0;
	return at - now > 3600 * 1000 ? 3600 * 1000 : (int)(at - now);
}

void
link_io(struct link *l, short revents, int64_t now)
{
	if (l->lookup != NULL) {
		if (revents & (POLLIN | POLLHUP | POLLERR))
			resolved(l, now);
		return;
	}
	if (l->state == LINK_CONNECTING) {
		if (revents & (POLLOUT | POLLERR | POLLHUP))
			check_connect(l, now);
		return;
	}
	if (l->fd != -1 && (revents & (POLLIN | POLLHUP | POLLERR)))
		do_read(l, now);
	if (l->fd != -1 && (revents & POLLOUT))
		do_write(l, now);
}

void
link_tick(struct link *l, int64_t now)
{
	switch (l->state) {
	case LINK_DOWN:
		if (!l->stopped && now >= l->retry_at)
			start(l, now);
		break;
	case LINK_CONNECTING:
		if (now < l->deadline)
			break;
		set_error(l, l->lookup != NULL ? "name lookup timed out" :
		    strerror(ETIMEDOUT));
		if (l->lookup != NULL) {
			forget_try(l);
			failed(l, now);
			break;
		}
		close(l->fd);
		l->fd = -1;
		try_next(l, now);
		break;
	default:
		if (now - l->last_rx >= PROTO_DEAD_SECS * 1000)
			lost(l, "no reply from the server (dead link)", now);
		else if (!l->pinged && now - l->last_rx >= PROTO_PING_SECS * 1000)
			ping(l);
		break;
	}
}

int
link_send(struct link *l, const char *line, size_t len, uint64_t *end)
{
	if (l->state != LINK_HELLO && l->state != LINK_UP)
		return -1;
	if (queue(l, line, len) == -1)
		return -1;
	*end = l->queued;
	return 0;
}

uint64_t
link_written(const struct link *l)
{
	return l->written;
}

size_t
link_queued(const struct link *l)
{
	return outq_len(l->out);
}

void
link_shutdown(struct link *l)
{
	l->shut_wanted = 1;
	maybe_shut(l);
}

void
link_stop(struct link *l)
{
	l->stopped = 1;
}

void
link_close(struct link *l)
{
	l->stopped = 1;
	forget_try(l);
	if (l->fd != -1) {
		if (l->state != LINK_CONNECTING)
			outq_flush(l->out, l->fd);
		close(l->fd);
		l->fd = -1;
	}
	l->state = LINK_DOWN;
}

enum link_state
link_state(const struct link *l)
{
	return l->state;
}

const char *
link_host(const struct link *l)
{
	return l->host;
}

const char *
link_port(const struct link *l)
{
	return l->port;
}

/* An attempt begins with the name lookup, in a thread of its own. */
static void
start(struct link *l, int64_t now)
{
	if ((l->lookup = resolve_start(l->host, l->port)) == NULL) {
		set_error(l, strerror(errno));
		failed(l, now);
		return;
	}
	l->state = LINK_CONNECTING;
	l->deadline = now + LINK_LOOKUP_MS;
}

/* The lookup's descriptor is readable: its addresses, tried in turn. */
static void
resolved(struct link *l, int64_t now)
{
	const char	*why = NULL;
	int		 r;

	if ((r = resolve_result(l->lookup, &l->ai, &why)) == 1)
		return;
	resolve_free(l->lookup);
	l->lookup = NULL;
	if (r == -1) {
		set_error(l, why);
		failed(l, now);
		return;
	}
	l->ainext = l->ai;
	set_error(l, "no address");
	try_next(l, now);
}

/* Starts a connect to the next address, or gives up until later. */
static void
try_next(struct link *l, int64_t now)
{
	struct addrinfo	*a;
	int		 fd;

	while ((a = l->ainext) != NULL) {
		l->ainext = a->ai_next;
		fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd != -1 && net_nonblock(fd) == 0 &&
		    fcntl(fd, F_SETFD, FD_CLOEXEC) == 0) {
			if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
				connected(l, fd, now);
				return;
			}
			if (errno == EINPROGRESS) {
				l->fd = fd;
				l->state = LINK_CONNECTING;
				l->deadline = now + LINK_CONNECT_MS;
				return;
			}
		}
		set_error(l, strerror(errno));
		if (fd != -1)
			close(fd);
	}
	failed(l, now);
}

/*
 * The connect in progress may be done, one way or the other.  The loop
 * also tries a write before it sleeps: a socket that has no error and no
 * peer yet is still connecting.
 */
static void
check_connect(struct link *l, int64_t now)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(int), sslen = sizeof(ss);
	int			e = 0, fd = l->fd;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	if (e == 0 && getpeername(fd, (struct sockaddr *)&ss, &sslen) == -1 &&
	    errno == ENOTCONN)
		return;
	l->fd = -1;
	if (e == 0) {
		connected(l, fd, now);
		return;
	}
	set_error(l, strerror(e));
	close(fd);
	try_next(l, now);
}

static void
connected(struct link *l, int fd, int64_t now)
{
	forget_try(l);
	if (hello(l, fd, now) == -1) {
		close(fd);
		failed(l, now);
		return;
	}
	l->cb.state(l->cb.arg, LINK_HELLO, "connecting");
}

/* A connection is made: the hello goes first, with the resume point. */
static int
hello(struct link *l, int fd, int64_t now)
{
	struct hello	 h;
	char		 line[128];
	int		 len, sz;

	memset(&h, 0, sizeof(h));
	l->cb.hello(l->cb.arg, &h);
	h.version = PROTO_VERSION;
	if ((len = proto_format_hello(&h, line, sizeof(line))) < 0) {
		set_error(l, "cannot format the hello");
		return -1;
	}
	if (l->in == NULL && (l->in = linebuf_new(PROTO_MAXFRAME,
	    LINK_READ_CHUNK, 0)) == NULL) {
		set_error(l, strerror(ENOMEM));
		return -1;
	}
	outq_clear(l->out);
	l->written = l->queued = 0;
	if (queue(l, line, len) == -1) {
		set_error(l, strerror(ENOMEM));
		return -1;
	}
	/*
	 * The kernel holds a burst while this end draws or waits for a
	 * core (the system's rmem_max may cap it).
	 */
	sz = LINK_RCVBUF;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	l->fd = fd;
	l->state = LINK_HELLO;
	l->last_rx = now;
	l->pinged = l->shut = l->shut_wanted = 0;
	l->greeting = 0;
	return 0;
}

/* Why the attempt failed, in the one wording of every attempt. */
static void
set_error(struct link *l, const char *why)
{
	snprintf(l->err, sizeof(l->err), "cannot connect to %s port %s: %s",
	    l->host, l->port, why);
}

/* The attempt failed (l->err says why): the next one is scheduled. */
static void
failed(struct link *l, int64_t now)
{
	forget_try(l);
	l->fd = -1;
	l->state = LINK_DOWN;
	l->retry_at = now + backoff_next(&l->backoff, next_rnd(l));
	l->cb.state(l->cb.arg, LINK_DOWN, l->err);
}

/*
 * The connection is gone.  The backoff restarts only once a hello reply
 * came back, so a server that accepts and closes is not hammered.
 */
static void
lost(struct link *l, const char *why, int64_t now)
{
	close(l->fd);
	l->fd = -1;
	outq_clear(l->out);
	linebuf_free(l->in);
	l->in = NULL;
	l->state = LINK_DOWN;
	l->retry_at = now + backoff_next(&l->backoff, next_rnd(l));
	l->cb.state(l->cb.arg, LINK_DOWN, why);
}

/* Drops what an attempt holds: its lookup and its addresses. */
static void
forget_try(struct link *l)
{
	resolve_free(l->lookup);
	l->lookup = NULL;
	if (l->ai != NULL)
		freeaddrinfo(l->ai);
	l->ai = l->ainext = NULL;
}

static void
do_read(struct link *l, int64_t now)
{
	char	*space, *line;
	size_t	 avail, len, total = 0;
	ssize_t	 n;
	int	 r;

	while (l->fd != -1 && total < LINK_READ_BUDGET) {
		if ((space = linebuf_space(l->in, &avail)) == NULL) {
			lost(l, strerror(ENOMEM), now);
			return;
		}
		if (avail > 0) {
			n = read(l->fd, space, avail);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && errno == EAGAIN)
				break;
			if (n <= 0) {
				read_closed(l, n, now);
				return;
			}
			linebuf_commit(l->in, n);
			ack_now(l->fd);
			total += n;
			l->last_rx = now;
			l->pinged = 0;
		}
		while (l->fd != -1 &&
		    (r = linebuf_next(l->in, &line, &len)) != LINEBUF_NONE)
			handle_line(l, r == LINEBUF_LINE ? line : NULL, len, now);
	}
	if (l->in != NULL)
		linebuf_trim(l->in);
}

/* read() gave n (0 or -1): frames that came before the end still count. */
static void
read_closed(struct link *l, ssize_t n, int64_t now)
{
	char	 why[128], *line;
	size_t	 len;
	int	 r;

	snprintf(why, sizeof(why), "%s", n == 0 ?
	    "connection closed by the server" : strerror(errno));
	while (l->fd != -1 &&
	    (r = linebuf_next(l->in, &line, &len)) != LINEBUF_NONE)
		handle_line(l, r == LINEBUF_LINE ? line : NULL, len, now);
	if (l->fd != -1)
		lost(l, why, now);
}

/*
 * Acknowledges what was read at once.  A server that keeps a small send
 * buffer may have only one segment in flight (on loopback a segment is
 * 64 KiB); a delayed ACK would then stall it for 40 ms per segment and
 * its send queue would fill although this end reads eagerly.
 */
static void
ack_now(int fd)
{
#ifdef TCP_QUICKACK
	int	one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
	(void)fd;
#endif
}

static void
do_write(struct link *l, int64_t now)
{
	ssize_t	 n;

	if (outq_len(l->out) > 0) {
		if ((n = outq_flush(l->out, l->fd)) == -1) {
			if (errno != EAGAIN && errno != EINTR)
				lost(l, strerror(errno), now);
			return;
		}
		l->written += n;
	}
	maybe_shut(l);
}

/* Half-closes once asked to and everything queued is written. */
static void
maybe_shut(struct link *l)
{
	if (!l->shut_wanted || l->shut || l->state != LINK_UP ||
	    outq_len(l->out) > 0)
		return;
	shutdown(l->fd, SHUT_WR);
	l->shut = 1;
}

/* One line from the server: a frame, or something that is not one. */
static void
handle_line(struct link *l, char *line, size_t len, int64_t now)
{
	struct frame	 f;
	size_t		 i;

	if (line == NULL || frame_decode(line, len, &f) == -1) {
		/*
		 * The decoder ended the fields it took with NULs; the line
		 * came without any (the line decoder drops them), so put the
		 * spaces back to show it as it was sent.
		 */
		for (i = 0; line != NULL && i < len; i++)
			if (line[i] == '\0')
				line[i] = ' ';
		if (l->state == LINK_HELLO && greeting(line, len))
			l->greeting++;
		else
			l->cb.bad(l->cb.arg, line, len);
		return;
	}
	if (f.kind == FRAME_PONG && own_pong(l, &f))
		return;
	if (f.kind == FRAME_HELLO && l->state == LINK_HELLO) {
		if (l->greeting > 0)
			log_debug("%zu text lines before the hello reply "
			    "dropped", l->greeting);
		l->state = LINK_UP;
		backoff_reset(&l->backoff);
		l->cb.state(l->cb.arg, LINK_UP, "connected");
	}
	l->cb.frame(l->cb.arg, &f, now);
}

/*
 * Before the hello reply, a line that is not a frame is the text-mode
 * greeting of a server that took this connection for a text client
 * because the hello came late; it is dropped.  A refusal of the hello
 * itself is not: it says why the server closes.
 */
static int
greeting(const char *line, size_t len)
{
	static const char	refusal[] = "*** error: ";

	return line == NULL || len < sizeof(refusal) - 1 ||
	    memcmp(line, refusal, sizeof(refusal) - 1) != 0;
}

/* Asks the server for a word after a silence, to tell it is there. */
static void
ping(struct link *l)
{
	char	 line[64];
	int	 len;

	len = snprintf(line, sizeof(line), "/ping %s%u", LINK_PING_TOKEN,
	    ++l->pingno);
	(void)queue(l, line, len);
	l->pinged = 1;
}

/* The answer to the last keepalive ping, which nobody needs to see. */
static int
own_pong(const struct link *l, const struct frame *f)
{
	char	tok[32];
	int	len;

	len = snprintf(tok, sizeof(tok), "%s%u", LINK_PING_TOKEN, l->pingno);
	return l->pingno > 0 && f->textlen == (size_t)len &&
	    memcmp(f->text, tok, len) == 0;
}

/* Queues a line and its LF as one piece; -1 if out of memory. */
static int
queue(struct link *l, const char *line, size_t len)
{
	char	*copy;
	int	 r;

	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, line, len);
	copy[len] = '\n';
	if ((r = outq_append(l->out, copy, len + 1)) == 0)
		l->queued += len + 1;
	free(copy);
	return r;
}

/* xorshift32: jitter needs no more. */
static uint32_t
next_rnd(struct link *l)
{
	uint32_t x = l->rnd;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return l->rnd = x;
}
