/*
 * load.c: the generator's epoll loop: N non-blocking connections logged
 * in a batch at a time, then S senders in closed or open loop, and every
 * line every client receives checked and timed as it is read.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define RBUF_SIZE	(256 * 1024)	/* one read buffer shared by all */
#define CARRY_MAX	8192		/* a partial line kept between reads */
#define OUT_MIN		4096		/* output room of a non-sender */
#define OUT_OPEN	(1024 * 1024)	/* output room of an open-loop sender */
#define LINE_EXTRA	32		/* bytes around a text: IRC command, EOL */
#define MAX_EVENTS	1024
#define DUE_EVERY	32	/* open loop: events read between looks at
				   the clock for messages due */
#define LOGIN_BATCH	8	/* connections logging in at once; ngircd
				   listens with a backlog of 10 */
#define QUIET_NS	300000000ull	/* this long without input: idle */
#define SETTLE_NS	30000000000ull	/* longest wait for the idle state */
#define STALL_NS	5000000000ull	/* no input this long: stop waiting */
#define MAX_REPORTS	5		/* odd lines printed on stderr */

enum conn_state { C_NEW, C_CONNECTING, C_LOGIN, C_READY, C_DEAD };

struct conn {
	int		 fd;
	int		 id;		/* nick bID; senders are 0..S-1 */
	enum conn_state	 state;
	uint32_t	 events;	/* registered with epoll */
	int		 dirty;		/* on the flush list */
	int		 skipping;	/* discarding an overlong line */
	size_t		 carry_len;
	char		*carry;
	char		*out;
	size_t		 out_off, out_len, out_cap;
};

struct sender {
	uint32_t	 sent;
	uint32_t	 acked;		/* seen by the designated receiver */
	int		 receiver;
	uint64_t	 due;		/* open loop: next send time */
};

struct load {
	const struct load_opts	*o;
	struct load_result	*r;
	int			 ep;
	int			 tfd;		/* open-loop timer */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	struct conn		*conns;
	struct sender		*snd;
	uint32_t		*next;		/* [receiver * S + sender] */
	uint32_t		*count;		/* same index: deliveries */
	struct conn		**flush;	/* connections with output */
	int			 nflush;
	char			*rbuf;
	char			*carries;
	struct epoll_event	*evs;
	int			 nstarted, npending, nready;
	int			 sending;	/* in the message phase */
	int			 failed;	/* login cannot complete */
	int			 reports;
	uint64_t		 now, deadline, last_rx, t_start, t_last;
	uint64_t		 period;	/* open loop: ns between sends */
};

static int	 load_setup(struct load *);
static void	 load_free(struct load *);
static int	 load_login(struct load *);
static void	 load_settle(struct load *);
static void	 load_pause(struct load *, const char *);
static void	 load_messages(struct load *);
static void	 load_tally(struct load *);
static int	 load_turn(struct load *, int);
static int	 load_timeout(struct load *);
static void	 load_flush(struct load *);
static void	 load_refill(struct load *);
static int	 load_emit(struct load *, int, uint64_t);
static void	 load_report(struct load *, const char *, const char *,
		    size_t);
static int	 conn_start(struct load *, struct conn *);
static void	 conn_connected(struct load *, struct conn *);
static void	 conn_read(struct load *, struct conn *);
static void	 conn_line(struct load *, struct conn *, const char *,
		    size_t, uint64_t);
static void	 conn_msg(struct load *, struct conn *,
		    const struct wire_line *, uint64_t);
static void	 conn_ready(struct load *, struct conn *);
static void	 conn_dead(struct load *, struct conn *, const char *);
static int	 conn_queue(struct load *, struct conn *, const char *,
		    size_t);
static char	*conn_room(struct load *, struct conn *, size_t);
static void	 conn_flush(struct load *, struct conn *);
static void	 conn_events(struct load *, struct conn *, uint32_t);

int
load_run(const struct load_opts *o, struct load_result *r)
{
	struct load	 l;
	int		 rv = -1;

	memset(&l, 0, sizeof(l));
	memset(r, 0, sizeof(*r));
	l.o = o;
	l.r = r;
	l.ep = l.tfd = -1;
	l.deadline = mono_ns() + (uint64_t)(o->timeout * 1e9);
	if (o->server_pid > 0)
		proc_rss_kb(o->server_pid, &r->rss_before_kb);
	if (load_setup(&l) == -1)
		goto out;
	if (load_login(&l) == 0) {
		load_settle(&l);
		if (o->server_pid > 0)
			proc_rss_kb(o->server_pid, &r->rss_idle_kb);
		if (o->pause > 0)
			load_pause(&l, "in and idle; messages");
		if (o->senders > 0)
			load_messages(&l);
		if (o->pause > 0)
			load_pause(&l, "done; closing");
	} else if (!r->timed_out)
		goto out;
	/* A login that timed out is reported: everything was lost. */
	load_tally(&l);
	rv = 0;
out:
	load_free(&l);
	return rv;
}

/* Resolves the server, allocates everything the loop will ever need. */
static int
load_setup(struct load *l)
{
	const struct load_opts	*o = l->o;
	struct addrinfo		 hints, *ai;
	struct epoll_event	 ev;
	int			 e, i;
	size_t			 pairs = (size_t)o->clients * (size_t)o->senders;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(o->host, o->port, &hints, &ai)) != 0) {
		fprintf(stderr, "chat-bench: %s: %s\n", o->host,
		    gai_strerror(e));
		return -1;
	}
	memcpy(&l->addr, ai->ai_addr, ai->ai_addrlen);
	l->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if ((l->conns = calloc((size_t)o->clients, sizeof(*l->conns))) != NULL)
		for (i = 0; i < o->clients; i++) {
			l->conns[i].fd = -1;	/* for load_free() */
			l->conns[i].id = i;
		}
	l->carries = malloc((size_t)o->clients * CARRY_MAX);
	l->flush = calloc((size_t)o->clients, sizeof(*l->flush));
	l->snd = calloc((size_t)o->senders + 1, sizeof(*l->snd));
	l->next = calloc(pairs + 1, sizeof(*l->next));
	l->count = calloc(pairs + 1, sizeof(*l->count));
	l->rbuf = malloc(RBUF_SIZE);
	l->evs = calloc(MAX_EVENTS, sizeof(*l->evs));
	if (l->ep == -1 || l->tfd == -1 || l->conns == NULL ||
	    l->carries == NULL || l->flush == NULL || l->snd == NULL ||
	    l->next == NULL || l->count == NULL || l->rbuf == NULL ||
	    l->evs == NULL) {
		perror("chat-bench: setup");
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;		/* the timer, not a connection */
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, l->tfd, &ev) == -1) {
		perror("chat-bench: epoll_ctl");
		return -1;
	}
	for (i = 0; i < o->clients; i++)
		l->conns[i].carry = l->carries + (size_t)i * CARRY_MAX;
	l->r->expected = (uint64_t)o->senders * o->messages *
	    (uint64_t)(o->clients - 1);
	/* The designated receiver is a non-sender when there is one. */
	for (i = 0; i < o->senders; i++)
		l->snd[i].receiver = o->senders < o->clients ?
		    o->clients - 1 : (i + 1) % o->clients;
	return 0;
}

static void
load_free(struct load *l)
{
	int	 i;

	for (i = 0; l->conns != NULL && i < l->o->clients; i++) {
		if (l->conns[i].fd != -1)
			close(l->conns[i].fd);
		free(l->conns[i].out);
	}
	if (l->ep != -1)
		close(l->ep);
	if (l->tfd != -1)
		close(l->tfd);
	free(l->conns);
	free(l->carries);
	free(l->flush);
	free(l->snd);
	free(l->next);
	free(l->count);
	free(l->rbuf);
	free(l->evs);
}

/* Connects every client, LOGIN_BATCH at a time, until all are in. */
static int
load_login(struct load *l)
{
	const struct load_opts	*o = l->o;
	uint64_t		 t0 = mono_ns();

	while (l->nready < o->clients) {
		while (l->npending < LOGIN_BATCH && l->nstarted < o->clients)
			if (conn_start(l, &l->conns[l->nstarted++]) == -1)
				return -1;
		if (load_turn(l, 100) == -1 || l->failed)
			return -1;
		if (l->now > l->deadline) {
			fprintf(stderr, "chat-bench: login timed out: %d of %d "
			    "clients in\n", l->nready, o->clients);
			l->r->timed_out = 1;
			return -1;
		}
	}
	l->r->login_s = (double)(mono_ns() - t0) / 1e9;
	return 0;
}

/* Waits until the join and nick notices of the login have all arrived. */
static void
load_settle(struct load *l)
{
	uint64_t	 start = mono_ns();

	l->now = l->last_rx = start;
	while (l->now < l->last_rx + QUIET_NS && l->now < start + SETTLE_NS &&
	    l->now < l->deadline)
		if (load_turn(l, 50) == -1)
			break;
}

/* Says what comes next, and keeps the clients idle for --pause seconds. */
static void
load_pause(struct load *l, const char *what)
{
	uint64_t	 end = mono_ns() + (uint64_t)(l->o->pause * 1e9);

	fprintf(stderr, "chat-bench: %d clients %s in %g s\n", l->nready,
	    what, l->o->pause);
	l->deadline += (uint64_t)(l->o->pause * 1e9);
	l->now = mono_ns();
	while (l->now < end)
		if (load_turn(l, 50) == -1)
			break;
}

/* Sends, receives and checks until all is delivered or nothing comes. */
static void
load_messages(struct load *l)
{
	const struct load_opts	*o = l->o;
	struct load_result	*r = l->r;
	double			 cpu0 = 0, cpu1, gen0, host0 = 0, host1;
	uint64_t		 stall = STALL_NS;
	int			 i;

	if (o->server_pid > 0)
		proc_cpu(o->server_pid, &cpu0);
	gen0 = self_cpu();
	proc_host_cpu(&host0);
	l->t_start = l->t_last = l->last_rx = l->now = mono_ns();
	if (o->rate > 0) {
		l->period = (uint64_t)(1e9 / o->rate);
		if (stall < 3 * l->period)
			stall = 3 * l->period;
		/* Spread the senders evenly over one period. */
		for (i = 0; i < o->senders; i++)
			l->snd[i].due = l->t_start +
			    l->period * (uint64_t)i / (uint64_t)o->senders;
	}
	l->sending = 1;
	load_refill(l);
	load_flush(l);
	while (r->deliveries < r->expected) {
		if (load_turn(l, load_timeout(l)) == -1)
			break;
		if (l->now > l->last_rx + stall)
			break;
		if (l->now > l->deadline) {
			r->timed_out = 1;
			break;
		}
	}
	r->gen_cpu_s = self_cpu() - gen0;
	if (proc_host_cpu(&host1) == 0)
		r->host_cpu_s = host1 - host0;
	if (o->server_pid > 0 && proc_cpu(o->server_pid, &cpu1) == 0)
		r->server_cpu_s = cpu1 - cpu0;
	r->seconds = (double)(l->t_last - l->t_start) / 1e9;
}

/* Counts what was due and never arrived; reads the server's memory. */
static void
load_tally(struct load *l)
{
	const struct load_opts	*o = l->o;
	int			 c, s;
	uint32_t		 n;

	for (c = 0; c < o->clients; c++)
		for (s = 0; s < o->senders; s++) {
			if (s == c)
				continue;
			n = l->count[(size_t)c * o->senders + s];
			if (n < o->messages)
				l->r->lost += o->messages - n;
		}
	if (o->server_pid > 0)
		proc_rss_kb(o->server_pid, &l->r->server_rss_kb);
}

/*
 * One turn: wait for events (at most ms), read and check everything
 * readable, queue what the senders may send now, then write each
 * connection's whole queue at once.
 */
static int
load_turn(struct load *l, int ms)
{
	struct conn	*c;
	uint64_t	 junk;
	int		 i, n;

	if ((n = epoll_wait(l->ep, l->evs, MAX_EVENTS, ms)) == -1) {
		if (errno == EINTR)
			return 0;
		perror("chat-bench: epoll_wait");
		return -1;
	}
	l->now = mono_ns();
	for (i = 0; i < n; i++) {
		/*
		 * A message is stamped with the time it was due: reading a
		 * thousand sockets first would count the generator's own
		 * delay against the server.
		 */
		if (l->sending && l->period > 0 && i > 0 && i % DUE_EVERY == 0) {
			l->now = mono_ns();
			load_refill(l);
			load_flush(l);
		}
		if ((c = l->evs[i].data.ptr) == NULL) {
			/* The timer only wakes the loop: drain it. */
			if (read(l->tfd, &junk, sizeof(junk)) == -1)
				junk = 0;
			continue;
		}
		if (c->state == C_DEAD)
			continue;	/* closed earlier in this batch */
		if (c->state == C_CONNECTING)
			conn_connected(l, c);
		else if (l->evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			conn_read(l, c);
		if ((l->evs[i].events & EPOLLOUT) && c->state != C_DEAD &&
		    !c->dirty) {
			c->dirty = 1;
			l->flush[l->nflush++] = c;
		}
	}
	if (l->sending) {
		l->now = mono_ns();	/* reading took time: stamp fresh */
		load_refill(l);
	}
	load_flush(l);
	return 0;
}

/* Writes out every connection that has output waiting. */
static void
load_flush(struct load *l)
{
	int	 i;

	for (i = 0; i < l->nflush; i++) {
		l->flush[i]->dirty = 0;
		conn_flush(l, l->flush[i]);
	}
	l->nflush = 0;
}

/* Closed loop: sleep until input.  Open loop: the timer wakes us. */
static int
load_timeout(struct load *l)
{
	struct itimerspec	 its;
	uint64_t		 next = UINT64_MAX;
	int			 i;

	if (l->period == 0)
		return 100;
	for (i = 0; i < l->o->senders; i++)
		if (l->snd[i].sent < l->o->messages && l->snd[i].due < next)
			next = l->snd[i].due;
	if (next == UINT64_MAX)
		return 100;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(next / 1000000000u);
	its.it_value.tv_nsec = (long)(next % 1000000000u);
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL);
	return 100;
}

/* Queues every message a sender may send now. */
static void
load_refill(struct load *l)
{
	const struct load_opts	*o = l->o;
	struct sender		*sp;
	int			 s;

	for (s = 0; s < o->senders; s++) {
		sp = &l->snd[s];
		if (l->conns[s].state != C_READY)
			continue;
		if (l->period == 0) {
			while (sp->sent < o->messages &&
			    sp->sent - sp->acked < o->window)
				if (load_emit(l, s, l->now) == -1)
					break;
		} else {
			/* Stamped with the time it was due, not when sent. */
			while (sp->sent < o->messages && sp->due <= l->now) {
				if (load_emit(l, s, sp->due) == -1)
					break;
				hist_add(&l->r->send_lag, l->now - sp->due);
				sp->due += l->period;
			}
		}
	}
}

/* Appends sender s's next message, stamped ts; -1 if its queue is full. */
static int
load_emit(struct load *l, int s, uint64_t ts)
{
	static const char	 irc[] = "PRIVMSG #bench :";
	struct conn		*c = &l->conns[s];
	struct payload		 p;
	size_t			 size = l->o->size;
	char			*q;

	if ((q = conn_room(l, c, size + LINE_EXTRA)) == NULL)
		return -1;
	p.sender = (uint32_t)s;
	p.seq = l->snd[s].sent++;
	p.ts = ts;
	if (l->o->irc) {
		memcpy(q, irc, sizeof(irc) - 1);
		q += sizeof(irc) - 1;
	}
	wire_encode(q, size, &p);
	q += size;
	if (l->o->irc)
		*q++ = '\r';
	*q++ = '\n';
	c->out_len = (size_t)(q - c->out) - c->out_off;
	return 0;
}

/* Prints one unexpected line (made printable, cut short) on stderr. */
static void
load_report(struct load *l, const char *what, const char *line, size_t len)
{
	char	 buf[161];
	size_t	 i;

	if (l->reports++ >= MAX_REPORTS)
		return;
	for (i = 0; i < len && i < sizeof(buf) - 1; i++)
		buf[i] = line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?';
	buf[i] = '\0';
	fprintf(stderr, "chat-bench: %s: \"%s\"\n", what, buf);
}

static int
conn_start(struct load *l, struct conn *c)
{
	struct epoll_event	 ev;
	int			 one = 1, rv;

	c->fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		perror("chat-bench: socket");
		return -1;
	}
	/* Nagle would hold back a sender's next batch: latency lies. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rv = connect(c->fd, (struct sockaddr *)&l->addr, l->addrlen);
	if (rv == -1 && errno != EINPROGRESS) {
		perror("chat-bench: connect");
		return -1;
	}
	c->state = C_CONNECTING;
	c->events = EPOLLOUT;
	memset(&ev, 0, sizeof(ev));
	ev.events = c->events;
	ev.data.ptr = c;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, c->fd, &ev) == -1) {
		perror("chat-bench: epoll_ctl");
		return -1;
	}
	l->npending++;
	return 0;
}

/* The connect finished: check it, and send the login lines. */
static void
conn_connected(struct load *l, struct conn *c)
{
	char		 buf[256];
	int		 err = 0, n;
	socklen_t	 len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		errno = err;
		conn_dead(l, c, strerror(err));
		return;
	}
	c->state = C_LOGIN;
	conn_events(l, c, EPOLLIN);
	if (l->o->irc)
		n = snprintf(buf, sizeof(buf), "NICK b%d\r\nUSER b%d 0 * "
		    ":chat-bench\r\nJOIN #bench\r\n", c->id, c->id);
	else
		n = snprintf(buf, sizeof(buf), "/nick b%d\n", c->id);
	conn_queue(l, c, buf, (size_t)n);
}

/* Reads once, checks every complete line in place, keeps the rest. */
static void
conn_read(struct load *l, struct conn *c)
{
	char		*buf = l->rbuf, *p, *end, *nl;
	size_t		 len;
	ssize_t		 n;
	uint64_t	 now;

	memcpy(buf, c->carry, c->carry_len);
	/* recv(), not read(): a socket needs no trip through the file layer. */
	n = recv(c->fd, buf + c->carry_len, RBUF_SIZE - c->carry_len, 0);
	if (n <= 0) {
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		conn_dead(l, c, n == 0 ? "closed by the server" :
		    strerror(errno));
		return;
	}
	now = l->last_rx = mono_ns();
	p = buf;
	end = buf + c->carry_len + n;
	if (c->skipping) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			c->carry_len = 0;
			return;
		}
		p = nl + 1;
		c->skipping = 0;
	}
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		conn_line(l, c, p, len, now);
		p = nl + 1;
	}
	/* A line longer than any message is server talk: skip it. */
	c->carry_len = (size_t)(end - p);
	if (c->carry_len > CARRY_MAX) {
		c->carry_len = 0;
		c->skipping = 1;
	} else
		memcpy(c->carry, p, c->carry_len);
}

static void
conn_line(struct load *l, struct conn *c, const char *line, size_t len,
    uint64_t now)
{
	struct wire_line	 w;
	char			 buf[600];
	int			 n;

	if (l->o->irc)
		wire_irc_line(line, len, &w);
	else
		wire_text_line(line, len, &w);
	switch (w.kind) {
	case WIRE_MSG:
		conn_msg(l, c, &w, now);
		break;
	case WIRE_NOTICE:
		if (c->state == C_LOGIN && !l->o->irc &&
		    wire_text_is_nick(line, len, c->id))
			conn_ready(l, c);
		break;
	case WIRE_NAMES_END:
		if (c->state == C_LOGIN)
			conn_ready(l, c);
		break;
	case WIRE_PING:
		n = snprintf(buf, sizeof(buf), "PONG %.*s\r\n",
		    (int)(w.textlen < 500 ? w.textlen : 500), w.text);
		conn_queue(l, c, buf, (size_t)n);
		break;
	case WIRE_ERROR:
		l->r->errors++;
		load_report(l, "server error", line, len);
		if (c->state == C_LOGIN)
			l->failed = 1;
		break;
	case WIRE_OTHER:
		l->r->corrupt++;
		load_report(l, "unexpected line", line, len);
		break;
	}
}

/* A message line: check it, count it, time it, release a window slot. */
static void
conn_msg(struct load *l, struct conn *c, const struct wire_line *w,
    uint64_t now)
{
	const struct load_opts	*o = l->o;
	struct load_result	*r = l->r;
	struct payload		 p;
	size_t			 k;

	if (w->from < 0 || w->from >= o->senders ||
	    wire_check(w->text, w->textlen, o->size, &p) == -1 ||
	    p.sender != (uint32_t)w->from || p.seq >= o->messages) {
		r->corrupt++;
		load_report(l, "corrupt message", w->text, w->textlen);
		return;
	}
	if (w->from == c->id)
		return;		/* an echo of its own: not a delivery */
	k = (size_t)c->id * o->senders + (size_t)w->from;
	if (p.seq < l->next[k])
		r->reordered++;
	else
		l->next[k] = p.seq + 1;
	l->count[k]++;
	r->deliveries++;
	hist_add(&r->lat, now > p.ts ? now - p.ts : 0);
	l->t_last = now;
	if (c->id == l->snd[w->from].receiver)
		l->snd[w->from].acked++;
}

static void
conn_ready(struct load *l, struct conn *c)
{
	c->state = C_READY;
	l->npending--;
	l->nready++;
}

/* Closes a connection the server dropped; fatal only during login. */
static void
conn_dead(struct load *l, struct conn *c, const char *why)
{
	if (c->state != C_READY) {
		if (!l->failed)
			fprintf(stderr, "chat-bench: b%d: %s during login\n",
			    c->id, why);
		l->failed = 1;
	} else if (l->r->disconnects++ < MAX_REPORTS)
		fprintf(stderr, "chat-bench: b%d: %s\n", c->id, why);
	close(c->fd);		/* also leaves the epoll set */
	c->fd = -1;
	c->state = C_DEAD;
	c->out_len = 0;
}

/* Appends bytes to a connection's output; -1 if there is no room. */
static int
conn_queue(struct load *l, struct conn *c, const char *data, size_t len)
{
	char	*q;

	if ((q = conn_room(l, c, len)) == NULL)
		return -1;
	memcpy(q, data, len);
	c->out_len += len;
	return 0;
}

/*
 * Returns where len bytes may be appended to c's output (the caller
 * adds them to out_len), and puts c on the flush list; NULL if full.
 */
static char *
conn_room(struct load *l, struct conn *c, size_t len)
{
	size_t	 cap;

	if (c->state == C_DEAD)
		return NULL;
	if (c->out == NULL) {
		cap = OUT_MIN;
		if (c->id < l->o->senders)
			cap = l->o->rate > 0 ? OUT_OPEN : OUT_MIN +
			    (size_t)l->o->window * (l->o->size + LINE_EXTRA);
		if ((c->out = malloc(cap)) == NULL)
			return NULL;
		c->out_cap = cap;
	}
	if (c->out_off + c->out_len + len > c->out_cap && c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len);
		c->out_off = 0;
	}
	if (c->out_off + c->out_len + len > c->out_cap)
		return NULL;
	if (!c->dirty) {
		c->dirty = 1;
		l->flush[l->nflush++] = c;
	}
	return c->out + c->out_off + c->out_len;
}

/* Writes as much queued output as the socket takes. */
static void
conn_flush(struct load *l, struct conn *c)
{
	ssize_t	 n;

	while (c->state != C_DEAD && c->out_len > 0) {
		n = send(c->fd, c->out + c->out_off, c->out_len,
		    MSG_NOSIGNAL);
		if (n > 0) {
			c->out_off += (size_t)n;
			c->out_len -= (size_t)n;
		} else if (n == -1 && errno == EINTR)
			continue;
		else if (n == -1 && errno == EAGAIN)
			break;
		else {
			conn_dead(l, c, strerror(errno));
			return;
		}
	}
	if (c->state == C_DEAD)
		return;
	if (c->out_len == 0)
		c->out_off = 0;
	if (c->state != C_CONNECTING)
		conn_events(l, c, EPOLLIN | (c->out_len > 0 ? EPOLLOUT : 0));
}

/* Changes what epoll watches for c, with a system call only if needed. */
static void
conn_events(struct load *l, struct conn *c, uint32_t events)
{
	struct epoll_event	 ev;

	if (c->events == events)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = c;
	if (epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->events = events;
}
