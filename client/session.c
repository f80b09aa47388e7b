/*
 * session.c: the client's side of the protocol: one connection at a time,
 * the frame-mode hello with a resume point, keepalive pings, reconnect
 * with backoff, and the lines a person typed that are not yet sent.
 * _DEFAULT_SOURCE brings TCP_QUICKACK on glibc.
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
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "linebuf.h"
#include "net.h"
#include "outq.h"
#include "proto.h"
#include "session.h"

#define SESSION_READ_CHUNK	(256 * 1024)	/* the decoder's buffer */
#define SESSION_READ_BUDGET	(1024 * 1024)	/* read a turn; then keys */
#define SESSION_ROOMS		16		/* resume points kept */
#define SESSION_PING_TOKEN	"keepalive"
/* How often to ask again for a nick an old connection still holds. */
#define SESSION_RECLAIM_MS	15000
#define SESSION_CONNECT_MS	10000		/* per address tried */
#define SESSION_RCVBUF		(4 << 20)	/* kernel receive buffer */

/* A line a person typed; end is where it ends in the output stream. */
struct qline {
	char		*s;
	size_t		 len;
	uint64_t	 end;
};

struct lineq {
	struct qline	*v;
	size_t		 head;
	size_t		 n;		/* entries from head */
	size_t		 cap;
};

/* The last message seen in a room: where a reconnect resumes. */
struct seen {
	char		 room[PROTO_ROOMMAX + 1];
	uint64_t	 epoch;
	uint64_t	 last;
	uint64_t	 used;		/* for replacing the oldest */
};

struct session {
	char			*host;
	char			*port;
	struct session_cb	 cb;
	enum session_state	 state;
	int			 fd;
	struct linebuf		*in;
	struct outq		*out;
	uint64_t		 written;	/* bytes written on this link */
	uint64_t		 queued;	/* bytes queued on this link */
	struct lineq		 sent;		/* queued, maybe not written */
	struct lineq		 pending;	/* kept until the session is up */

	char			 nick[PROTO_NICKMAX + 1];
	char			 want[PROTO_NICKMAX + 1];	/* the nick asked for */
	int64_t			 reclaim_at;	/* when to ask for it again */
	char			 room[PROTO_ROOMMAX + 1];
	struct seen		 seen[SESSION_ROOMS];
	struct seen		*seenlast;	/* the one found last */
	uint64_t		 seenclock;
	int			 replay;	/* inside a history replay */

	char			**members;
	size_t			 nmembers;
	size_t			 capmembers;

	int64_t			 last_rx;	/* when the server last spoke */
	int			 pinged;	/* a ping is out since then */
	unsigned		 pingno;
	struct backoff		 backoff;
	int64_t			 retry_at;
	struct addrinfo		*ai;		/* addresses of a reconnect */
	struct addrinfo		*ainext;	/* the next one to try */
	int64_t			 connect_by;	/* when the try times out */
	char			 connerr[NET_ERRLEN];
	uint32_t		 rnd;

	int			 finishing;	/* the user is done typing */
	int			 shut;		/* our side is half-closed */
	int			 done;
};

static int	 lineq_push(struct lineq *, char *, size_t, uint64_t);
static struct qline *lineq_first(struct lineq *);
static void	 lineq_pop(struct lineq *);
static void	 lineq_clear(struct lineq *);
static int	 queue_line(struct session *, const char *, size_t);
static void	 send_pending(struct session *);
static int	 link_up(struct session *, int, char *);
static void	 start_connect(struct session *, int64_t);
static void	 try_next(struct session *, int64_t);
static void	 check_connect(struct session *, int64_t);
static void	 connected(struct session *, int, int64_t);
static void	 connect_failed(struct session *, int64_t, const char *);
static void	 lost(struct session *, const char *);
static void	 schedule(struct session *, int64_t);
static void	 do_read(struct session *, int64_t);
static void	 ack_now(int);
static void	 do_write(struct session *);
static void	 maybe_shut(struct session *);
static void	 handle_line(struct session *, char *, size_t);
static int	 note_frame(struct session *, const struct frame *);
static void	 note_hello(struct session *, const struct frame *);
static void	 note_message(struct session *, const struct frame *);
static void	 note_join(struct session *, const struct frame *);
static void	 note_leave(struct session *, const struct frame *);
static void	 note_nick(struct session *, const struct frame *);
static int	 want_other(const struct session *);
static void	 reclaim_nick(struct session *, int64_t);
static void	 note_who(struct session *, const struct frame *);
static struct seen *seen_room(struct session *, const char *, size_t);
static int	 is_own(const struct session *, const char *, size_t);
static int	 mentions(const struct session *, const char *, size_t);
static int	 name_char(char);
static int	 is_current(const struct session *, const char *, size_t);
static void	 members_clear(struct session *);
static int	 members_add(struct session *, const char *, size_t);
static void	 members_del(struct session *, const char *, size_t);
static ssize_t	 members_find(const struct session *, const char *, size_t);
static void	 copy_name(char *, size_t, const char *, size_t);
static uint32_t	 next_rnd(struct session *);

int64_t
session_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct session *
session_new(const char *host, const char *port, const char *nick,
    const struct session_cb *cb)
{
	struct session	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->fd = -1;
	s->cb = *cb;
	s->host = strdup(host);
	s->port = strdup(port);
	s->out = outq_new();
	if (s->host == NULL || s->port == NULL || s->out == NULL) {
		session_free(s);
		return NULL;
	}
	if (nick != NULL) {
		copy_name(s->nick, sizeof(s->nick), nick, strlen(nick));
		copy_name(s->want, sizeof(s->want), nick, strlen(nick));
	}
	s->rnd = (uint32_t)session_now() ^ ((uint32_t)getpid() << 16) ^ 1;
	return s;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	if (s->fd != -1)
		close(s->fd);
	if (s->ai != NULL)
		freeaddrinfo(s->ai);
	linebuf_free(s->in);
	outq_free(s->out);
	lineq_clear(&s->sent);
	lineq_clear(&s->pending);
	free(s->sent.v);
	free(s->pending.v);
	members_clear(s);
	free(s->members);
	free(s->host);
	free(s->port);
	free(s);
}

int
session_connect(struct session *s, char *err)
{
	int	fd;

	if ((fd = net_connect(s->host, s->port, err)) == -1)
		return -1;
	if (link_up(s, fd, err) == -1) {
		close(fd);
		return -1;
	}
	return 0;
}

/* A connection is made: the hello goes first, with the resume point. */
static int
link_up(struct session *s, int fd, char *err)
{
	struct hello	 h;
	struct seen	*sn;
	char		 line[128];
	int		 len, sz;

	memset(&h, 0, sizeof(h));
	h.version = PROTO_VERSION;
	memcpy(h.nick, s->want[0] != '\0' ? s->want : s->nick, sizeof(h.nick));
	memcpy(h.room, s->room, sizeof(h.room));
	if (s->room[0] != '\0' &&
	    (sn = seen_room(s, s->room, strlen(s->room))) != NULL &&
	    sn->epoch != 0) {
		h.epoch = sn->epoch;
		h.last = sn->last;
	}
	if ((len = proto_format_hello(&h, line, sizeof(line) - 1)) < 0) {
		snprintf(err, NET_ERRLEN, "cannot format the hello");
		return -1;
	}
	line[len++] = '\n';
	if (s->in == NULL &&
	    (s->in = linebuf_new(PROTO_MAXFRAME, SESSION_READ_CHUNK, 0)) ==
	    NULL) {
		snprintf(err, NET_ERRLEN, "out of memory");
		return -1;
	}
	outq_clear(s->out);
	if (outq_append(s->out, line, len) == -1) {
		snprintf(err, NET_ERRLEN, "out of memory");
		return -1;
	}
	/*
	 * The kernel holds a burst while this end draws or waits for a
	 * core (the system's rmem_max may cap it).
	 */
	sz = SESSION_RCVBUF;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	s->fd = fd;
	s->written = 0;
	s->queued = len;
	s->state = SESSION_HELLO;
	s->last_rx = session_now();
	s->pinged = s->shut = s->replay = 0;
	return 0;
}

int
session_fd(const struct session *s)
{
	return s->fd;
}

short
session_events(const struct session *s)
{
	if (s->fd == -1)
		return 0;
	if (s->state == SESSION_CONNECTING)
		return POLLOUT;
	return POLLIN | (outq_len(s->out) > 0 ? POLLOUT : 0);
}

int
session_timeout(const struct session *s, int64_t now)
{
	int64_t	 at;

	if (s->done)
		return -1;
	if (s->state == SESSION_DOWN)
		at = s->retry_at;
	else if (s->state == SESSION_CONNECTING)
		at = s->connect_by;
	else if (!s->pinged)
		at = s->last_rx + PROTO_PING_SECS * 1000;
	else
		at = s->last_rx + PROTO_DEAD_SECS * 1000;
	if (s->state == SESSION_UP && s->reclaim_at != 0 && s->reclaim_at < at)
		at = s->reclaim_at;
	if (at <= now)
		return 0;
	return at - now > 3600 * 1000 ? 3600 * 1000 : (int)(at - now);
}

void
session_io(struct session *s, short revents, int64_t now)
{
	if (s->state == SESSION_CONNECTING) {
		if (revents & (POLLOUT | POLLERR | POLLHUP))
			check_connect(s, now);
		return;
	}
	if (s->fd != -1 && (revents & (POLLIN | POLLHUP | POLLERR)))
		do_read(s, now);
	if (s->fd != -1 && (revents & POLLOUT))
		do_write(s);
}

void
session_tick(struct session *s, int64_t now)
{
	char	 ping[64];
	int	 len;

	if (s->done)
		return;
	if (s->state == SESSION_DOWN) {
		if (now < s->retry_at)
			return;
		if (s->finishing && s->pending.n == 0) {
			s->done = 1;
			return;
		}
		start_connect(s, now);
		return;
	}
	if (s->state == SESSION_CONNECTING) {
		if (now >= s->connect_by) {
			snprintf(s->connerr, sizeof(s->connerr), "cannot "
			    "connect to %s port %s: %s", s->host, s->port,
			    strerror(ETIMEDOUT));
			close(s->fd);
			s->fd = -1;
			try_next(s, now);
		}
		return;
	}
	if (now - s->last_rx >= PROTO_DEAD_SECS * 1000) {
		lost(s, "no reply from the server (dead link)");
		return;
	}
	if (s->reclaim_at != 0 && now >= s->reclaim_at)
		reclaim_nick(s, now);
	if (!s->pinged && now - s->last_rx >= PROTO_PING_SECS * 1000) {
		len = snprintf(ping, sizeof(ping), "/ping %s%u\n",
		    SESSION_PING_TOKEN, ++s->pingno);
		if (outq_append(s->out, ping, len) == 0)
			s->queued += len;
		s->pinged = 1;
	}
}

int
session_send(struct session *s, const char *line, size_t len)
{
	char	*copy;

	if (s->state != SESSION_UP || s->pending.n > 0) {
		if ((copy = malloc(len + 1)) == NULL)
			return -1;
		memcpy(copy, line, len);
		copy[len] = '\0';
		if (lineq_push(&s->pending, copy, len, 0) == -1) {
			free(copy);
			return -1;
		}
		return 0;
	}
	return queue_line(s, line, len);
}

size_t
session_npending(const struct session *s)
{
	return s->pending.n;
}

const char *
session_pending(const struct session *s, size_t i)
{
	if (i >= s->pending.n)
		return NULL;
	return s->pending.v[s->pending.head + i].s;
}

/* True when a lot waits to go out: the reader should pause. */
int
session_busy(const struct session *s)
{
	return outq_len(s->out) > 64 * 1024 || s->pending.n > 1024;
}

void
session_finish(struct session *s)
{
	s->finishing = 1;
	if (s->state == SESSION_DOWN && s->pending.n == 0)
		s->done = 1;
	maybe_shut(s);
}

int
session_done(const struct session *s)
{
	return s->done;
}

void
session_close(struct session *s)
{
	if (s->fd == -1)
		return;
	if (s->state != SESSION_CONNECTING)
		outq_flush(s->out, s->fd);
	close(s->fd);
	s->fd = -1;
	s->state = SESSION_DOWN;
}

enum session_state
session_state(const struct session *s)
{
	return s->state;
}

const char *
session_nick(const struct session *s)
{
	return s->nick;
}

const char *
session_room(const struct session *s)
{
	return s->room;
}

const char *
session_host(const struct session *s)
{
	return s->host;
}

const char *
session_port(const struct session *s)
{
	return s->port;
}

size_t
session_nmembers(const struct session *s)
{
	return s->nmembers;
}

const char *const *
session_members(const struct session *s)
{
	return (const char *const *)s->members;
}

/* Queues a typed line on the link, remembering it until written. */
static int
queue_line(struct session *s, const char *line, size_t len)
{
	char	*copy;

	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, line, len);
	copy[len] = '\n';
	if (outq_append(s->out, copy, len + 1) == -1) {
		free(copy);
		return -1;
	}
	s->queued += len + 1;
	if (lineq_push(&s->sent, copy, len, s->queued) == -1) {
		free(copy);
		return -1;
	}
	return 0;
}

/* Sends, in order, what was typed while the session was not up. */
static void
send_pending(struct session *s)
{
	struct qline	*q;

	while ((q = lineq_first(&s->pending)) != NULL) {
		if (queue_line(s, q->s, q->len) == -1)
			break;
		lineq_pop(&s->pending);
	}
	do_write(s);
}

/*
 * A reconnect never blocks the loop on connect(): each address is tried
 * with a non-blocking connect, and poll() says when it is done.  (The
 * name lookup itself may still block.)
 */
static void
start_connect(struct session *s, int64_t now)
{
	struct addrinfo	 hints;
	char		 why[NET_ERRLEN];
	int		 e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(s->host, s->port, &hints, &s->ai)) != 0) {
		s->ai = NULL;
		snprintf(why, sizeof(why), "cannot connect to %s port %s: %s",
		    s->host, s->port, gai_strerror(e));
		connect_failed(s, now, why);
		return;
	}
	s->ainext = s->ai;
	snprintf(s->connerr, sizeof(s->connerr), "cannot connect to %s "
	    "port %s: no address", s->host, s->port);
	try_next(s, now);
}

/* Starts a connect to the next address, or gives up until later. */
static void
try_next(struct session *s, int64_t now)
{
	struct addrinfo	*a;
	int		 fd;

	while ((a = s->ainext) != NULL) {
		s->ainext = a->ai_next;
		fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd != -1 && net_nonblock(fd) == 0 &&
		    fcntl(fd, F_SETFD, FD_CLOEXEC) == 0) {
			if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
				connected(s, fd, now);
				return;
			}
			if (errno == EINPROGRESS) {
				s->fd = fd;
				s->state = SESSION_CONNECTING;
				s->connect_by = now + SESSION_CONNECT_MS;
				return;
			}
		}
		snprintf(s->connerr, sizeof(s->connerr), "cannot connect to "
		    "%s port %s: %s", s->host, s->port, strerror(errno));
		if (fd != -1)
			close(fd);
	}
	freeaddrinfo(s->ai);
	s->ai = NULL;
	connect_failed(s, now, s->connerr);
}

/* poll() says the connect in progress is done, one way or the other. */
static void
check_connect(struct session *s, int64_t now)
{
	socklen_t	len = sizeof(int);
	int		e = 0, fd = s->fd;

	s->fd = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	if (e == 0) {
		connected(s, fd, now);
		return;
	}
	snprintf(s->connerr, sizeof(s->connerr), "cannot connect to %s "
	    "port %s: %s", s->host, s->port, strerror(e));
	close(fd);
	try_next(s, now);
}

static void
connected(struct session *s, int fd, int64_t now)
{
	char	err[NET_ERRLEN];

	if (s->ai != NULL)
		freeaddrinfo(s->ai);
	s->ai = s->ainext = NULL;
	if (link_up(s, fd, err) == -1) {
		close(fd);
		connect_failed(s, now, err);
		return;
	}
	s->cb.state(s->cb.arg, SESSION_HELLO, "connecting");
}

static void
connect_failed(struct session *s, int64_t now, const char *why)
{
	s->fd = -1;
	s->state = SESSION_DOWN;
	schedule(s, now);
	s->cb.state(s->cb.arg, SESSION_DOWN, why);
}

/*
 * The link is gone: lines not yet written go back in front of the
 * pending ones, and a reconnect is scheduled.
 */
static void
lost(struct session *s, const char *why)
{
	struct lineq	 keep;
	struct qline	*q;

	memset(&keep, 0, sizeof(keep));
	while ((q = lineq_first(&s->sent)) != NULL) {
		if (q->end > s->written &&
		    lineq_push(&keep, q->s, q->len, 0) == 0)
			q->s = NULL;
		lineq_pop(&s->sent);
	}
	while ((q = lineq_first(&s->pending)) != NULL) {
		if (lineq_push(&keep, q->s, q->len, 0) == 0)
			q->s = NULL;
		lineq_pop(&s->pending);
	}
	free(s->pending.v);
	s->pending = keep;

	close(s->fd);
	s->fd = -1;
	outq_clear(s->out);
	linebuf_free(s->in);
	s->in = NULL;
	s->state = SESSION_DOWN;
	members_clear(s);
	if (s->finishing && (s->shut || s->pending.n == 0)) {
		s->done = 1;
		s->cb.state(s->cb.arg, SESSION_DOWN, why);
		return;
	}
	/* The backoff restarts only once a hello reply came back. */
	schedule(s, session_now());
	s->cb.state(s->cb.arg, SESSION_DOWN, why);
}

/* Plans the next connection attempt. */
static void
schedule(struct session *s, int64_t now)
{
	s->retry_at = now + backoff_next(&s->backoff, next_rnd(s));
}

static void
do_read(struct session *s, int64_t now)
{
	char	*space, *line, why[128];
	size_t	 avail, len, total = 0;
	ssize_t	 n;
	int	 r;

	while (s->fd != -1 && total < SESSION_READ_BUDGET) {
		if ((space = linebuf_space(s->in, &avail)) == NULL) {
			lost(s, "out of memory");
			return;
		}
		if (avail == 0)
			goto drain;
		n = read(s->fd, space, avail);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0) {
			if (n == 0)
				snprintf(why, sizeof(why),
				    "connection closed by the server");
			else
				snprintf(why, sizeof(why), "%s",
				    strerror(errno));
			/* Frames that arrived before the close still count. */
			while (s->fd != -1 && (r = linebuf_next(s->in,
			    &line, &len)) != LINEBUF_NONE)
				handle_line(s, r == LINEBUF_LINE ? line : NULL,
				    len);
			if (s->fd != -1)
				lost(s, why);
			return;
		}
		linebuf_commit(s->in, n);
		ack_now(s->fd);
		total += n;
		s->last_rx = now;
		s->pinged = 0;
drain:
		while (s->fd != -1 &&
		    (r = linebuf_next(s->in, &line, &len)) != LINEBUF_NONE)
			handle_line(s, r == LINEBUF_LINE ? line : NULL, len);
	}
	if (s->in != NULL)
		linebuf_trim(s->in);
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
do_write(struct session *s)
{
	struct qline	*q;
	ssize_t		 n;

	if (s->fd == -1)
		return;
	if (outq_len(s->out) == 0) {
		maybe_shut(s);
		return;
	}
	if ((n = outq_flush(s->out, s->fd)) == -1) {
		if (errno != EAGAIN && errno != EINTR)
			lost(s, strerror(errno));
		return;
	}
	s->written += n;
	while ((q = lineq_first(&s->sent)) != NULL && q->end <= s->written)
		lineq_pop(&s->sent);
	maybe_shut(s);
}

/* Half-closes once everything typed has been written. */
static void
maybe_shut(struct session *s)
{
	if (!s->finishing || s->shut || s->state != SESSION_UP ||
	    s->pending.n > 0 || outq_len(s->out) > 0)
		return;
	shutdown(s->fd, SHUT_WR);
	s->shut = 1;
}

/* One line from the server: a frame, or something that is not one. */
static void
handle_line(struct session *s, char *line, size_t len)
{
	struct frame	 f;
	size_t		 i;
	int		 flags;

	if (line == NULL) {
		s->cb.bad(s->cb.arg, NULL, 0);
		return;
	}
	if (frame_decode(line, len, &f) == -1) {
		/*
		 * The decoder ended the fields it took with NULs; the line
		 * came without any (the line decoder drops them), so put the
		 * spaces back to show it as it was sent.
		 */
		for (i = 0; i < len; i++)
			if (line[i] == '\0')
				line[i] = ' ';
		s->cb.bad(s->cb.arg, line, len);
		return;
	}
	if ((flags = note_frame(s, &f)) == -1)
		return;
	s->cb.frame(s->cb.arg, &f, flags);
	if (f.kind == FRAME_HELLO && s->state == SESSION_UP)
		send_pending(s);
}

/* Takes note of a frame; returns its flags, or -1 to swallow it. */
static int
note_frame(struct session *s, const struct frame *f)
{
	int	flags = 0;
	char	tok[32];

	switch (f->kind) {
	case FRAME_HELLO:
		note_hello(s, f);
		break;
	case FRAME_MSG:
	case FRAME_ACT:
		note_message(s, f);
		if (s->replay)
			flags |= SESSION_REPLAY;
		if (is_own(s, f->nick, f->nicklen))
			flags |= SESSION_OWN;
		else if (mentions(s, f->text, f->textlen))
			flags |= SESSION_MENTION;
		break;
	case FRAME_PRIV:
		flags |= SESSION_MENTION;
		break;
	case FRAME_REPLAY:
		s->replay = 1;
		break;
	case FRAME_JOIN:
		note_join(s, f);
		break;
	case FRAME_PART:
	case FRAME_QUIT:
		note_leave(s, f);
		break;
	case FRAME_NICK:
		note_nick(s, f);
		break;
	case FRAME_WHO:
		note_who(s, f);
		break;
	case FRAME_PONG:
		snprintf(tok, sizeof(tok), "%s%u", SESSION_PING_TOKEN,
		    s->pingno);
		if (s->pingno > 0 && f->textlen == strlen(tok) &&
		    memcmp(f->text, tok, f->textlen) == 0)
			return -1;
		break;
	default:
		break;
	}
	return flags;
}

/* Registered: the server tells the nick and room, and how far it is. */
static void
note_hello(struct session *s, const struct frame *f)
{
	struct seen	*sn;

	if (proto_valid_nick(f->nick, f->nicklen))
		copy_name(s->nick, sizeof(s->nick), f->nick, f->nicklen);
	/* An old connection of ours may hold the nick until it times out. */
	s->reclaim_at = want_other(s) ? s->last_rx + SESSION_RECLAIM_MS : 0;
	if (proto_valid_room(f->room, f->roomlen))
		copy_name(s->room, sizeof(s->room), f->room, f->roomlen);
	if ((sn = seen_room(s, f->room, f->roomlen)) != NULL &&
	    sn->epoch != f->epoch) {
		sn->epoch = f->epoch;
		sn->last = 0;
	}
	s->state = SESSION_UP;
	backoff_reset(&s->backoff);
	s->cb.state(s->cb.arg, SESSION_UP, "connected");
}

/* Remembers the newest message id seen in the frame's room. */
static void
note_message(struct session *s, const struct frame *f)
{
	struct seen	*sn;

	if (f->id == 0 || (sn = seen_room(s, f->room, f->roomlen)) == NULL)
		return;
	if (sn->epoch != f->epoch) {
		sn->epoch = f->epoch;
		sn->last = f->id;
	} else if (f->id > sn->last)
		sn->last = f->id;
}

static void
note_join(struct session *s, const struct frame *f)
{
	if (is_own(s, f->nick, f->nicklen) &&
	    proto_valid_room(f->room, f->roomlen)) {
		copy_name(s->room, sizeof(s->room), f->room, f->roomlen);
		members_clear(s);
		s->replay = 0;
	}
	if (is_current(s, f->room, f->roomlen) &&
	    members_find(s, f->nick, f->nicklen) == -1)
		members_add(s, f->nick, f->nicklen);
}

static void
note_leave(struct session *s, const struct frame *f)
{
	if (is_current(s, f->room, f->roomlen) || f->roomlen == 0)
		members_del(s, f->nick, f->nicklen);
}

static void
note_nick(struct session *s, const struct frame *f)
{
	if (!proto_valid_nick(f->text, f->textlen))
		return;
	if (is_own(s, f->nick, f->nicklen)) {
		copy_name(s->nick, sizeof(s->nick), f->text, f->textlen);
		/* A nick the user chose is the one to take back. */
		copy_name(s->want, sizeof(s->want), f->text, f->textlen);
		s->reclaim_at = 0;
	}
	if (members_find(s, f->nick, f->nicklen) != -1) {
		members_del(s, f->nick, f->nicklen);
		members_add(s, f->text, f->textlen);
	}
}

/* True if the server gave a nick other than the one asked for. */
static int
want_other(const struct session *s)
{
	return s->want[0] != '\0' && !proto_name_eq(s->want, strlen(s->want),
	    s->nick, strlen(s->nick));
}

/* Asks for the wanted nick again, until an old link's hold on it ends. */
static void
reclaim_nick(struct session *s, int64_t now)
{
	char	 line[PROTO_NICKMAX + 8];
	int	 len;

	s->reclaim_at = 0;
	if (!want_other(s))
		return;
	len = snprintf(line, sizeof(line), "/nick %s\n", s->want);
	if (len > 0 && (size_t)len < sizeof(line) &&
	    outq_append(s->out, line, len) == 0)
		s->queued += len;
	s->reclaim_at = now + SESSION_RECLAIM_MS;
}

/* The member list of the current room, replaced as a whole. */
static void
note_who(struct session *s, const struct frame *f)
{
	const char	*p = f->text, *end = f->text + f->textlen, *w;
	size_t		 wlen;

	if (!is_current(s, f->room, f->roomlen) && f->roomlen > 0)
		return;
	members_clear(s);
	while (p < end) {
		p = proto_word(p, end - p, &w, &wlen);
		if (wlen == 0)
			break;
		if (members_add(s, w, wlen) == -1)
			break;
	}
}

/* The resume point of a room, made if new; NULL for no room. */
static struct seen *
seen_room(struct session *s, const char *room, size_t len)
{
	struct seen	*sn, *old = &s->seen[0];
	size_t		 i;

	if (!proto_valid_room(room, len))
		return NULL;
	/* A flood is in one room: try the room of the last message first. */
	if (s->seenlast != NULL && strlen(s->seenlast->room) == len &&
	    memcmp(s->seenlast->room, room, len) == 0) {
		s->seenlast->used = ++s->seenclock;
		return s->seenlast;
	}
	for (i = 0; i < SESSION_ROOMS; i++) {
		sn = &s->seen[i];
		if (sn->room[0] != '\0' &&
		    proto_name_eq(sn->room, strlen(sn->room), room, len)) {
			sn->used = ++s->seenclock;
			return s->seenlast = sn;
		}
		if (sn->used < old->used)
			old = sn;
	}
	memset(old, 0, sizeof(*old));
	copy_name(old->room, sizeof(old->room), room, len);
	old->used = ++s->seenclock;
	return s->seenlast = old;
}

static int
is_own(const struct session *s, const char *nick, size_t len)
{
	return s->nick[0] != '\0' &&
	    proto_name_eq(s->nick, strlen(s->nick), nick, len);
}

static int
is_current(const struct session *s, const char *room, size_t len)
{
	return s->room[0] != '\0' &&
	    proto_name_eq(s->room, strlen(s->room), room, len);
}

/*
 * True if text holds the own nick as a word, ignoring case.  Every line
 * of a flood passes here: only a word's start whose first letter fits
 * is compared in full.
 */
static int
mentions(const struct session *s, const char *text, size_t len)
{
	const char	*p = text, *end = text + len, *lo, *up;
	size_t		 n = strlen(s->nick);
	char		 c = s->nick[0];

	if (n == 0 || len < n)
		return 0;
	/* A nick starts with a letter: find it in either case. */
	for (; p + n <= end; p++) {
		lo = memchr(p, c | 0x20, end - p);
		up = memchr(p, c & ~0x20, (lo != NULL ? lo : end) - p);
		if ((p = up != NULL ? up : lo) == NULL || p + n > end)
			return 0;
		if ((p == text || !name_char(p[-1])) &&
		    proto_name_eq(p, n, s->nick, n) &&
		    (p + n == end || !name_char(p[n])))
			return 1;
	}
	return 0;
}

/* A character that may be part of a nick. */
static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void
members_clear(struct session *s)
{
	size_t	i;

	for (i = 0; i < s->nmembers; i++)
		free(s->members[i]);
	s->nmembers = 0;
}

static int
members_add(struct session *s, const char *nick, size_t len)
{
	char	**v;
	size_t	  cap;

	if (!proto_valid_nick(nick, len))
		return 0;
	if (s->nmembers == s->capmembers) {
		cap = s->capmembers ? s->capmembers * 2 : 16;
		if ((v = realloc(s->members, cap * sizeof(*v))) == NULL)
			return -1;
		s->members = v;
		s->capmembers = cap;
	}
	if ((s->members[s->nmembers] = malloc(len + 1)) == NULL)
		return -1;
	memcpy(s->members[s->nmembers], nick, len);
	s->members[s->nmembers++][len] = '\0';
	return 0;
}

static void
members_del(struct session *s, const char *nick, size_t len)
{
	ssize_t	i;

	if ((i = members_find(s, nick, len)) == -1)
		return;
	free(s->members[i]);
	memmove(&s->members[i], &s->members[i + 1],
	    (s->nmembers - i - 1) * sizeof(*s->members));
	s->nmembers--;
}

static ssize_t
members_find(const struct session *s, const char *nick, size_t len)
{
	size_t	i;

	for (i = 0; i < s->nmembers; i++)
		if (proto_name_eq(s->members[i], strlen(s->members[i]),
		    nick, len))
			return i;
	return -1;
}

static void
copy_name(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* xorshift32: jitter needs no more. */
static uint32_t
next_rnd(struct session *s)
{
	uint32_t x = s->rnd;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return s->rnd = x;
}

static int
lineq_push(struct lineq *q, char *s, size_t len, uint64_t end)
{
	struct qline	*v;
	size_t		 cap;

	if (q->head > 0 && q->head + q->n == q->cap) {
		memmove(q->v, q->v + q->head, q->n * sizeof(*q->v));
		q->head = 0;
	}
	if (q->head + q->n == q->cap) {
		cap = q->cap ? q->cap * 2 : 16;
		if ((v = realloc(q->v, cap * sizeof(*v))) == NULL)
			return -1;
		q->v = v;
		q->cap = cap;
	}
	q->v[q->head + q->n++] = (struct qline){ s, len, end };
	return 0;
}

static struct qline *
lineq_first(struct lineq *q)
{
	return q->n > 0 ? &q->v[q->head] : NULL;
}

static void
lineq_pop(struct lineq *q)
{
	free(q->v[q->head].s);
	q->head++;
	if (--q->n == 0)
		q->head = 0;
}

static void
lineq_clear(struct lineq *q)
{
	while (q->n > 0)
		lineq_pop(q);
}
