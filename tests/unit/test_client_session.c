/*
 * test_client_session.c: the client's session and its link against a
 * test server on a real loopback socket: the first connection and its
 * failure, the hello and the resume point, lines kept while down and
 * sent after the hello reply, messages with tokens kept until acked and
 * sent again after a lost link, the member list, own and mention flags,
 * keepalive pings and their pongs, the dead link, the half-close at the
 * end of input once all is acked, a text-mode greeting before the hello
 * reply, and name lookups held at a gate (lookup_gate.h) while the loop
 * goes on.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "clock.h"
#include "lookup_gate.h"
#include "proto.h"
#include "session.h"
#include "token.h"

#define MAXSEEN	32
#define MAXTOKS	2048

/* What the callbacks saw. */
struct seen {
	int			 nframes;
	char			 text[MAXSEEN][128];
	int			 flags[MAXSEEN];
	int			 nstates;
	enum session_state	 state;
	char			 why[256];
	int			 nbad;
};

/* A listening socket standing in for the server, and its one peer. */
struct fixture {
	int			 lfd;
	int			 peer;
	char			 port[16];
	struct seen		 seen;
	struct session		*s;
	char			 tok[MAXTOKS][PROTO_TOKENMAX + 1];
	int			 ntok;		/* tokens the server saw */
	char			 session[PROTO_TOKENMAX + 1];	/* first hello's */
};

static void	 assert_tokens_unique(struct fixture *);

static void
on_frame(void *arg, const struct frame *f, int flags)
{
	struct seen	*sn = arg;

	if (sn->nframes < MAXSEEN) {
		snprintf(sn->text[sn->nframes], sizeof(sn->text[0]),
		    "%s %.*s %.*s", f->kindname, (int)f->nicklen,
		    f->nick, (int)f->textlen, f->text);
		sn->flags[sn->nframes] = flags;
	}
	sn->nframes++;
}

static void
on_bad(void *arg, const char *line, size_t len)
{
	struct seen	*sn = arg;

	(void)line;
	(void)len;
	sn->nbad++;
}

static void
on_state(void *arg, enum session_state st, const char *why)
{
	struct seen	*sn = arg;

	sn->nstates++;
	sn->state = st;
	snprintf(sn->why, sizeof(sn->why), "%s", why);
}

/*
 * Runs the session until its attempt is done: the name lookup (its
 * descriptor readable), then the connect() in progress (writable).
 */
static void
finish_connect(struct fixture *fx)
{
	struct pollfd	pfd;

	while (session_state(fx->s) == SESSION_CONNECTING) {
		pfd.fd = session_fd(fx->s);
		pfd.events = session_events(fx->s);
		assert_true(pfd.events == POLLIN || pfd.events == POLLOUT);
		assert_int_equal(poll(&pfd, 1, 2000), 1);
		session_io(fx->s, pfd.revents, clock_ms());
	}
}

static int
setup(void **state)
{
	struct fixture		*fx;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	struct session_cb	 cb;

	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fx->peer = -1;
	fx->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fx->lfd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fx->lfd, (struct sockaddr *)&sin, len), 0);
	assert_int_equal(listen(fx->lfd, 4), 0);
	assert_int_equal(getsockname(fx->lfd, (struct sockaddr *)&sin, &len),
	    0);
	snprintf(fx->port, sizeof(fx->port), "%d", ntohs(sin.sin_port));
	cb.arg = &fx->seen;
	cb.frame = on_frame;
	cb.bad = on_bad;
	cb.state = on_state;
	fx->s = session_new("127.0.0.1", fx->port, "alice", &cb);
	assert_non_null(fx->s);
	/* The first attempt is due at once, and made like any other. */
	assert_int_equal(session_timeout(fx->s, clock_ms()), 0);
	session_tick(fx->s, clock_ms());
	finish_connect(fx);
	assert_int_equal(session_state(fx->s), SESSION_HELLO);
	assert_null(session_failed(fx->s));
	/* The first connection is made before a screen: nothing to say. */
	assert_int_equal(fx->seen.nstates, 0);
	fx->peer = accept(fx->lfd, NULL, NULL);
	assert_true(fx->peer >= 0);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;

	session_free(fx->s);
	if (fx->peer != -1)
		close(fx->peer);
	close(fx->lfd);
	free(fx);
	/* No lookup thread outlives its test. */
	gate_open();
	assert_true(gate_threads_done());
	gate_reset();
	return 0;
}

/* The server side reads what the client wrote, waiting up to 2 s. */
static void
expect_sent(struct fixture *fx, const char *want)
{
	char		 buf[1024];
	size_t		 have = 0, n = strlen(want);
	struct pollfd	 pfd = { fx->peer, POLLIN, 0 };
	ssize_t		 r;

	session_io(fx->s, POLLOUT, clock_ms());
	while (have < n) {
		assert_int_equal(poll(&pfd, 1, 2000), 1);
		r = read(fx->peer, buf + have, n - have);
		assert_true(r > 0);
		have += r;
	}
	buf[have] = '\0';
	assert_string_equal(buf, want);
}

static void	 read_line(struct fixture *, char *, size_t);

/*
 * A hello: want, then the session key, 16 hex digits, the same in every
 * hello of the session.
 */
static void
expect_hello(struct fixture *fx, const char *want)
{
	char		 buf[1024];
	const char	*key;
	size_t		 n = strlen(want), i;

	read_line(fx, buf, sizeof(buf));
	assert_memory_equal(buf, want, n);
	assert_memory_equal(buf + n, " session=", 9);
	key = buf + n + 9;
	assert_int_equal(strlen(key), 16);
	for (i = 0; i < 16; i++)
		assert_non_null(strchr("0123456789abcdef", key[i]));
	if (fx->session[0] == '\0')
		snprintf(fx->session, sizeof(fx->session), "%s", key);
	assert_string_equal(key, fx->session);
}

/* One line from the client, without its LF, waiting up to 2 s. */
static void
read_line(struct fixture *fx, char *buf, size_t cap)
{
	struct pollfd	 pfd = { fx->peer, POLLIN, 0 };
	size_t		 have = 0;

	session_io(fx->s, POLLOUT, clock_ms());
	for (;;) {
		assert_true(have < cap - 1);
		assert_int_equal(poll(&pfd, 1, 2000), 1);
		assert_int_equal(read(fx->peer, buf + have, 1), 1);
		if (buf[have] == '\n')
			break;
		have++;
	}
	buf[have] = '\0';
}

/*
 * Like expect_sent(), where a line of want that starts with "@* " stands
 * for a line with some token; each token is noted in fx->tok, in turn.
 */
static void
expect_tagged(struct fixture *fx, const char *want)
{
	char		 line[PROTO_MAXLINE + 1];
	const char	*w, *nl, *tok, *rest;
	size_t		 wlen, toklen, restlen;

	for (w = want; (nl = strchr(w, '\n')) != NULL; w = nl + 1) {
		read_line(fx, line, sizeof(line));
		wlen = nl - w;
		if (wlen < 3 || memcmp(w, "@* ", 3) != 0) {
			assert_int_equal(strlen(line), wlen);
			assert_memory_equal(line, w, wlen);
			continue;
		}
		assert_int_equal(proto_split_token(line, strlen(line), &tok,
		    &toklen, &rest, &restlen), 1);
		assert_int_equal(restlen, wlen - 3);
		assert_memory_equal(rest, w + 3, restlen);
		assert_true(fx->ntok < MAXTOKS);
		memcpy(fx->tok[fx->ntok], tok, toklen);
		fx->tok[fx->ntok++][toklen] = '\0';
	}
}

/* Nothing more from the client just now. */
static void
expect_quiet(struct fixture *fx)
{
	struct pollfd	pfd = { fx->peer, POLLIN, 0 };

	assert_int_equal(poll(&pfd, 1, 50), 0);
}

/* The server sends frames, and the session reads them. */
static void
server_says(struct fixture *fx, const char *lines)
{
	struct pollfd	pfd;

	assert_int_equal(write(fx->peer, lines, strlen(lines)),
	    (ssize_t)strlen(lines));
	pfd.fd = session_fd(fx->s);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	session_io(fx->s, pfd.revents, clock_ms());
}

/* The server drops the link; the session notices. */
static void
server_closes(struct fixture *fx)
{
	struct pollfd	pfd;

	close(fx->peer);
	fx->peer = -1;
	pfd.fd = session_fd(fx->s);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	session_io(fx->s, pfd.revents, clock_ms());
	assert_int_equal(session_state(fx->s), SESSION_DOWN);
}

/* Time passes until the reconnect, which the server accepts. */
static void
reconnect(struct fixture *fx)
{
	session_tick(fx->s, clock_ms() + 31000);
	finish_connect(fx);
	assert_int_equal(session_state(fx->s), SESSION_HELLO);
	assert_string_equal(fx->seen.why, "connecting");
	fx->peer = accept(fx->lfd, NULL, NULL);
	assert_true(fx->peer >= 0);
}

static void
welcome(struct fixture *fx)
{
	server_says(fx, "hello 1 lobby alice 77 5 chat-server\\s1\r\n");
	assert_int_equal(session_state(fx->s), SESSION_UP);
}

static void
test_hello_and_resume(void **state)
{
	struct fixture	*fx = *state;

	expect_hello(fx, "CHAT/2 nick=alice");
	assert_int_equal(session_state(fx->s), SESSION_HELLO);
	welcome(fx);
	assert_string_equal(session_nick(fx->s), "alice");
	assert_string_equal(session_room(fx->s), "lobby");
	server_says(fx, "replay 1 lobby - 77 0 2\\smessages\r\n"
	    "msg 1 lobby bob 77 6 one\r\n"
	    "msg 1 lobby bob 77 7 two\r\n"
	    "join 1 lobby alice 0 0 \r\n");
	assert_int_equal(fx->seen.nframes, 5);
	assert_int_equal(fx->seen.flags[2] & SESSION_REPLAY, SESSION_REPLAY);
	assert_int_equal(fx->seen.flags[4] & SESSION_REPLAY, 0);
	server_closes(fx);
	assert_string_equal(fx->seen.why, "connection closed by the server");
	reconnect(fx);
	expect_hello(fx, "CHAT/2 nick=alice room=lobby epoch=77 last=7");
}

static void
test_new_epoch_resets_last(void **state)
{
	struct fixture	*fx = *state;

	expect_hello(fx, "CHAT/2 nick=alice");
	welcome(fx);
	server_says(fx, "msg 1 lobby bob 77 9 x\r\n");
	server_closes(fx);
	reconnect(fx);
	expect_hello(fx, "CHAT/2 nick=alice room=lobby epoch=77 last=9");
	/* The server restarted: the room has a new epoch and no history. */
	server_says(fx, "hello 1 lobby alice 88 0 chat-server\\s1\r\n");
	server_closes(fx);
	reconnect(fx);
	expect_hello(fx, "CHAT/2 nick=alice room=lobby epoch=88 last=0");
}

static void
test_pending_lines(void **state)
{
	struct fixture	*fx = *state;

	expect_hello(fx, "CHAT/2 nick=alice");
	welcome(fx);
	server_closes(fx);
	assert_int_equal(session_send(fx->s, "one", 3), 0);
	assert_int_equal(session_send(fx->s, "/me two", 7), 0);
	assert_int_equal(session_npending(fx->s), 2);
	assert_string_equal(session_pending(fx->s, 0), "one");
	assert_string_equal(session_pending(fx->s, 1), "/me two");
	assert_null(session_pending(fx->s, 2));
	reconnect(fx);
	expect_hello(fx, "CHAT/2 nick=alice room=lobby epoch=77 last=0");
	/* Lines wait for the hello reply, then go out in order. */
	expect_quiet(fx);
	assert_int_equal(session_send(fx->s, "three", 5), 0);
	welcome(fx);
	expect_tagged(fx, "@* one\n@* /me two\n@* three\n");
	assert_int_equal(session_npending(fx->s), 0);
	assert_int_equal(session_send(fx->s, "four", 4), 0);
	expect_tagged(fx, "@* four\n");
	/* Messages, actions, "//" messages: each token for good. */
	assert_int_equal(session_send(fx->s, "/ME five", 8), 0);
	assert_int_equal(session_send(fx->s, "//six", 5), 0);
	assert_int_equal(session_send(fx->s, "/who", 4), 0);
	assert_int_equal(session_send(fx->s, "  ", 2), 0);
	assert_int_equal(session_send(fx->s, "/nick al", 8), 0);
	expect_tagged(fx, "@* /ME five\n@* //six\n/who\n  \n/nick al\n");
	assert_tokens_unique(fx);
}

/*
 * Lines queued on a link that is lost before it writes them are pending
 * again, in order, in front of those typed after, as C strings.
 */
static void
test_unwritten_lines_back(void **state)
{
	struct fixture	*fx = *state;

	expect_hello(fx, "CHAT/2 nick=alice");
	welcome(fx);
	assert_int_equal(session_send(fx->s, "one", 3), 0);
	assert_int_equal(session_send(fx->s, "two", 3), 0);
	assert_int_equal(session_npending(fx->s), 0);
	server_closes(fx);
	assert_int_equal(session_send(fx->s, "three", 5), 0);
	assert_int_equal(session_npending(fx->s), 3);
	assert_string_equal(session_pending(fx->s, 0), "one");
	assert_string_equal(session_pending(fx->s, 1), "two");
	assert_string_equal(session_pending(fx->s, 2), "three");
	reconnect(fx);
	expect_hello(fx, "CHAT/2 nick=alice room=lobby epoch=77 last=0");
	welcome(fx);
	expect_tagged(fx, "@* one\n@* two\n@* three\n");
}

/*
 * The tokens seen are distinct, valid, and of one key: a dot, then a
 * counter that only grows.
 */
static void
assert_tokens_unique(struct fixture *fx)
{
	const char	*dot;
	int		 i, j;

	for (i = 0; i < fx->ntok; i++) {
		assert_true(proto_valid_token(fx->tok[i], strlen(fx->tok[i])));
		assert_non_null(dot = strchr(fx->tok[i], '.'));
		assert_int_equal(dot - fx->tok[i], TOKEN_KEYLEN);
		assert_memory_equal(fx->tok[i], fx->tok[0], TOKEN_KEYLEN);
		if (i > 0)
			assert_true(strtoull(dot + 1, NULL, 10) >
			    strtoull(strchr(fx->tok[i - 1], '.') + 1, NULL, 10));
		for (j = 0; j < i; j++)
			assert_string_not_equal(fx->tok[i], fx->tok[j]);
	}
}

/* The server acks token i of those seen with id (0: refused). */
static void
server_acks(struct fixture *fx, int i, unsigned id)
{
	char	line[256];

	snprintf(line, sizeof(line), "ack 1 lobby alice 77 %u %s\r\n", id,
	    fx->tok[i]);
	server_says(fx, line);
}

/*
 * Messages stay until acked, not until written: a link lost before the
 * acks of some sends those again after the next hello reply, with the
 * same tokens, in the order typed and before what was typed while down;
 * a command already written is not sent again.  An ack is not passed on,
 * nor is one for a token not waiting; a refusal (id 0) drops its line
 * and the error before it is shown.
 */
static void
test_resend_after_loss(void **state)
{
	struct fixture	*fx = *state;
	int		 n;

	expect_hello(fx, "CHAT/2 nick=alice");
	welcome(fx);
	assert_int_equal(session_send(fx->s, "one", 3), 0);
	assert_int_equal(session_send(fx->s, "/who", 4), 0);
	assert_int_equal(session_send(fx->s, "/me two", 7), 0);
	assert_int_equal(session_send(fx->s, "three", 5), 0);
	expect_tagged(fx, "@* one\n/who\n@* /me two\n@* three\n");
	assert_int_equal(session_nwaiting(fx->s), 3);
	server_says(fx, "msg 1 lobby alice 77 1 one\r\n");
	server_acks(fx, 0, 1);
	server_says(fx, "ack 1 lobby alice 77 9 unknown.1\r\n");
	assert_int_equal(fx->seen.nframes, 2);		/* hello, msg */
	assert_int_equal(session_nwaiting(fx->s), 2);
	server_closes(fx);
	assert_int_equal(session_send(fx->s, "four", 4), 0);
	assert_int_equal(session_npending(fx->s), 3);
	assert_string_equal(session_pending(fx->s, 0), "/me two");
	assert_string_equal(session_pending(fx->s, 2), "four");
	reconnect(fx);
	expect_hello(fx, "CHAT/2 nick=alice room=lobby epoch=77 last=1");
	expect_quiet(fx);
	/* Whatever nick the server gives, the lines go at once. */
	server_says(fx, "hello 1 lobby guest7 77 1 chat-server\r\n");
	expect_tagged(fx, "@* /me two\n@* three\n@* four\n");
	assert_string_equal(fx->tok[3], fx->tok[1]);
	assert_string_equal(fx->tok[4], fx->tok[2]);
	n = fx->seen.nframes;
	server_says(fx, "error 1 - - 0 0 message\\snot\\ssent:\\shistory\\s"
	    "could\\snot\\sbe\\sstored\r\n");
	server_acks(fx, 3, 0);
	assert_int_equal(fx->seen.nframes, n + 1);
	assert_string_equal(fx->seen.text[n], "error  message not sent: "
	    "history could not be stored");
	assert_int_equal(session_nwaiting(fx->s), 2);
	server_closes(fx);
	reconnect(fx);
	expect_hello(fx, "CHAT/2 nick=alice room=lobby epoch=77 last=1");
	welcome(fx);
	expect_tagged(fx, "@* three\n@* four\n");
	assert_string_equal(fx->tok[6], fx->tok[2]);
	assert_string_equal(fx->tok[7], fx->tok[5]);
	server_acks(fx, 6, 2);
	server_acks(fx, 7, 3);
	assert_int_equal(session_nwaiting(fx->s), 0);
	/* An ack is no resume point: echoes it stood for may be missing. */
	server_closes(fx);
	reconnect(fx);
	expect_hello(fx, "CHAT/2 nick=alice room=lobby epoch=77 last=1");
	welcome(fx);
	expect_quiet(fx);
}

/*
 * Written lines that wait for their acks count against the limit, so
 * that a server that takes lines but never acks them cannot make the
 * client keep without end what is fed to it.
 */
static void
test_busy_until_acked(void **state)
{
	struct fixture	*fx = *state;
	char		 want[1100 * 5 + 1] = "";
	int		 i;

	expect_hello(fx, "CHAT/2 nick=alice");
	welcome(fx);
	for (i = 0; i < 1100 && !session_busy(fx->s); i++) {
		assert_int_equal(session_send(fx->s, "x", 1), 0);
		strcat(want, "@* x\n");
		if (i % 100 == 0)
			session_io(fx->s, POLLOUT, clock_ms());
	}
	assert_true(session_busy(fx->s));
	assert_true(i > 1000);
	expect_tagged(fx, want);
	session_io(fx->s, POLLOUT, clock_ms());
	assert_true(session_busy(fx->s));
	for (i = 0; i < fx->ntok; i++) {
		server_acks(fx, i, i + 1);
		if (i > 100)
			assert_false(session_busy(fx->s));
	}
	assert_int_equal(session_nwaiting(fx->s), 0);
}

static void
assert_members(struct fixture *fx, const char *want)
{
	const char *const	*m = session_members(fx->s);
	char			 buf[256] = "";
	size_t			 i;

	for (i = 0; i < session_nmembers(fx->s); i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, m[i]);
	}
	assert_string_equal(buf, want);
}

static void
test_members(void **state)
{
	struct fixture	*fx = *state;

	welcome(fx);
	server_says(fx, "who 1 lobby - 0 0 alice bob carol\r\n");
	assert_members(fx, "alice bob carol");
	server_says(fx, "join 1 lobby dave 0 0 \r\n"
	    "part 1 lobby bob 0 0 bye\r\n"
	    "nick 1 lobby carol 0 0 carla\r\n"
	    "quit 1 lobby dave 0 0 gone\r\n"
	    "join 1 elsewhere eve 0 0 \r\n");
	assert_members(fx, "alice carla");
	/* Our own join of another room starts its list afresh. */
	server_says(fx, "join 1 dev alice 0 0 \r\n");
	assert_string_equal(session_room(fx->s), "dev");
	assert_members(fx, "alice");
	server_says(fx, "nick 1 dev alice 0 0 alicia\r\n");
	assert_string_equal(session_nick(fx->s), "alicia");
	assert_members(fx, "alicia");
	/* A hostile name is not taken. */
	server_says(fx, "who 1 dev - 0 0 alicia \\x1b[2J ok\r\n");
	assert_members(fx, "alicia ok");
}

static void
test_flags(void **state)
{
	struct fixture	*fx = *state;

	welcome(fx);
	server_says(fx, "msg 1 lobby Alice 77 1 mine\r\n"
	    "msg 1 lobby bob 77 2 hey\\salice!\r\n"
	    "msg 1 lobby bob 77 3 malice\\sand\\salices\r\n"
	    "act 1 lobby bob 77 4 pokes\\sALICE\r\n"
	    "priv 1 - bob 0 0 psst\r\n");
	assert_int_equal(fx->seen.nframes, 6);
	assert_int_equal(fx->seen.flags[1], SESSION_OWN);
	assert_int_equal(fx->seen.flags[2], SESSION_MENTION);
	assert_int_equal(fx->seen.flags[3], 0);
	assert_int_equal(fx->seen.flags[4], SESSION_MENTION);
	assert_int_equal(fx->seen.flags[5], SESSION_MENTION);
}

static void
test_keepalive(void **state)
{
	struct fixture	*fx = *state;
	int64_t		 now = clock_ms();

	expect_hello(fx, "CHAT/2 nick=alice");
	welcome(fx);
	assert_true(session_timeout(fx->s, now) > 29000);
	session_tick(fx->s, now + 29000);
	expect_quiet(fx);
	session_tick(fx->s, now + 30500);
	expect_sent(fx, "/ping keepalive1\n");
	/* The answer to our own ping is not shown; another one is. */
	server_says(fx, "pong 1 - - 0 0 keepalive1\r\n"
	    "pong 1 - - 0 0 mine\r\n");
	assert_int_equal(fx->seen.nframes, 2);
	assert_string_equal(fx->seen.text[1], "pong  mine");
	/* Then 90 s of silence is a dead link. */
	now = clock_ms();
	session_tick(fx->s, now + 30500);
	expect_sent(fx, "/ping keepalive2\n");
	session_tick(fx->s, now + 89000);
	assert_int_equal(session_state(fx->s), SESSION_UP);
	session_tick(fx->s, now + 90500);
	assert_int_equal(session_state(fx->s), SESSION_DOWN);
	assert_non_null(strstr(fx->seen.why, "dead link"));
	assert_int_equal(session_fd(fx->s), -1);
}

static void
test_finish(void **state)
{
	struct fixture	*fx = *state;
	char		 buf[64];

	expect_hello(fx, "CHAT/2 nick=alice");
	assert_int_equal(session_send(fx->s, "/who", 4), 0);
	session_finish(fx->s);
	/* Not before the hello reply and the queued line. */
	expect_quiet(fx);
	welcome(fx);
	expect_sent(fx, "/who\n");
	assert_int_equal(read(fx->peer, buf, sizeof(buf)), 0);
	assert_false(session_done(fx->s));
	server_says(fx, "who 1 lobby - 0 0 alice\r\n");
	server_closes(fx);
	assert_true(session_done(fx->s));
}

/*
 * At the end of input the session half-closes only once every message
 * is acked, and reconnects meanwhile to send again what a lost link did
 * not confirm.
 */
static void
test_finish_waits_for_acks(void **state)
{
	struct fixture	*fx = *state;
	char		 buf[64];

	expect_hello(fx, "CHAT/2 nick=alice");
	welcome(fx);
	assert_int_equal(session_send(fx->s, "last words", 10), 0);
	assert_int_equal(session_send(fx->s, "/who", 4), 0);
	session_finish(fx->s);
	expect_tagged(fx, "@* last words\n/who\n");
	expect_quiet(fx);
	server_closes(fx);
	assert_false(session_done(fx->s));
	reconnect(fx);
	expect_hello(fx, "CHAT/2 nick=alice room=lobby epoch=77 last=0");
	welcome(fx);
	expect_tagged(fx, "@* last words\n");
	assert_string_equal(fx->tok[1], fx->tok[0]);
	expect_quiet(fx);
	server_acks(fx, 1, 8);
	session_io(fx->s, POLLOUT, clock_ms());
	assert_int_equal(read(fx->peer, buf, sizeof(buf)), 0);
	assert_false(session_done(fx->s));
	server_closes(fx);
	assert_true(session_done(fx->s));
}

static void
test_reconnect_refused(void **state)
{
	struct fixture	*fx = *state;
	char		 want[64];

	expect_hello(fx, "CHAT/2 nick=alice");
	welcome(fx);
	/* The server goes away entirely: attempts are refused, then retried. */
	close(fx->lfd);
	server_closes(fx);
	assert_true(session_timeout(fx->s, clock_ms()) <= 1200);
	session_tick(fx->s, clock_ms() + 31000);
	finish_connect(fx);
	assert_int_equal(session_state(fx->s), SESSION_DOWN);
	snprintf(want, sizeof(want), "cannot connect to 127.0.0.1 port %s",
	    fx->port);
	assert_non_null(strstr(fx->seen.why, want));
	assert_non_null(strstr(fx->seen.why, "refused"));
	/* The second wait is longer than the first (1 s doubling). */
	assert_true(session_timeout(fx->s, clock_ms()) >= 1500);
	/* Something for teardown() to close. */
	fx->lfd = socket(AF_INET, SOCK_STREAM, 0);
}

static void
test_bad_lines(void **state)
{
	struct fixture	*fx = *state;

	welcome(fx);
	server_says(fx, "*** error: unsupported protocol version 2\r\n"
	    "frobnicate 1 - - 0 0 future\r\n");
	assert_int_equal(fx->seen.nbad, 1);
	/* An unknown kind is passed on for the caller to ignore. */
	assert_int_equal(fx->seen.nframes, 2);
}

/* A session of its own, to a port and host that fail its first attempt. */
static void
first_fails(const char *host, const char *port, const char *want)
{
	struct fixture		 fx;
	struct session_cb	 cb = { &fx.seen, on_frame, on_bad, on_state };

	memset(&fx, 0, sizeof(fx));
	fx.s = session_new(host, port, "alice", &cb);
	assert_non_null(fx.s);
	session_tick(fx.s, clock_ms());
	finish_connect(&fx);
	assert_int_equal(session_state(fx.s), SESSION_DOWN);
	assert_non_null(session_failed(fx.s));
	assert_string_equal(session_failed(fx.s), want);
	/* Final: no retry, and nothing for a screen that never started. */
	assert_true(session_done(fx.s));
	assert_int_equal(session_timeout(fx.s, clock_ms()), -1);
	assert_int_equal(fx.seen.nstates, 0);
	session_free(fx.s);
}

static void
test_first_connect_fails(void **state)
{
	struct fixture	*fx = *state;
	char		 want[128];

	/* setup()'s listener, closed: its port now refuses. */
	close(fx->lfd);
	snprintf(want, sizeof(want), "cannot connect to 127.0.0.1 port %s: "
	    "%s", fx->port, strerror(ECONNREFUSED));
	first_fails("127.0.0.1", fx->port, want);
	snprintf(want, sizeof(want), "cannot connect to name.invalid port "
	    "%s: %s", fx->port, gai_strerror(EAI_NONAME));
	first_fails("name.invalid", fx->port, want);
	fx->lfd = socket(AF_INET, SOCK_STREAM, 0);
}

/*
 * A name lookup that takes long (held at the gate for up to 3 s) blocks
 * nothing: the reconnect's tick returns at once, the loop polls the
 * lookup's descriptor and sleeps only as long as it asks, lines typed
 * meanwhile are kept, and the connect goes on once the lookup is done.
 */
static void
test_slow_lookup(void **state)
{
	struct fixture	*fx = *state;
	struct pollfd	 pfd;
	int64_t		 t0;

	expect_hello(fx, "CHAT/2 nick=alice");
	welcome(fx);
	server_closes(fx);
	gate_close();
	t0 = clock_ms();
	session_tick(fx->s, t0 + 31000);
	assert_true(clock_ms() - t0 < 500);
	assert_int_equal(session_state(fx->s), SESSION_CONNECTING);
	pfd.fd = session_fd(fx->s);
	pfd.events = session_events(fx->s);
	assert_true(pfd.fd >= 0);
	assert_int_equal(pfd.events, POLLIN);
	t0 = clock_ms();
	assert_int_equal(poll(&pfd, 1, 100), 0);
	assert_true(clock_ms() - t0 < 500);
	assert_true(session_timeout(fx->s, clock_ms()) > 0);
	assert_int_equal(session_send(fx->s, "typed meanwhile", 15), 0);
	assert_int_equal(session_npending(fx->s), 1);
	session_tick(fx->s, clock_ms());
	assert_int_equal(session_state(fx->s), SESSION_CONNECTING);
	gate_open();
	finish_connect(fx);
	assert_int_equal(session_state(fx->s), SESSION_HELLO);
	fx->peer = accept(fx->lfd, NULL, NULL);
	assert_true(fx->peer >= 0);
	expect_hello(fx, "CHAT/2 nick=alice room=lobby epoch=77 last=0");
	welcome(fx);
	expect_tagged(fx, "@* typed meanwhile\n");
}

/* A lookup that never ends in time is given up, and tried again later. */
static void
test_lookup_timeout(void **state)
{
	struct fixture	*fx = *state;
	char		 want[128];
	int64_t		 t0 = clock_ms();

	welcome(fx);
	server_closes(fx);
	gate_close();
	session_tick(fx->s, t0 + 31000);
	assert_int_equal(session_state(fx->s), SESSION_CONNECTING);
	assert_true(session_timeout(fx->s, t0 + 31000) >= 29000);
	session_tick(fx->s, t0 + 61000);
	assert_int_equal(session_state(fx->s), SESSION_DOWN);
	snprintf(want, sizeof(want), "cannot connect to 127.0.0.1 port %s: "
	    "name lookup timed out", fx->port);
	assert_string_equal(fx->seen.why, want);
	assert_int_equal(session_fd(fx->s), -1);
	assert_true(session_timeout(fx->s, t0 + 61000) > 0);
}

/*
 * The session goes while its lookup waits: the lookup's thread ends
 * later and frees what it holds, touching nothing of the session's (the
 * sanitizers and valgrind would say so).
 */
static void
test_freed_during_lookup(void **state)
{
	struct fixture	*fx = *state;

	welcome(fx);
	server_closes(fx);
	gate_close();
	session_tick(fx->s, clock_ms() + 31000);
	assert_int_equal(session_state(fx->s), SESSION_CONNECTING);
	session_close(fx->s);
	assert_int_equal(session_state(fx->s), SESSION_DOWN);
	assert_int_equal(session_fd(fx->s), -1);
	session_free(fx->s);
	fx->s = NULL;
	gate_open();
	assert_true(gate_threads_done());
}

/*
 * A server that took the hello for text (it came late, through a relay)
 * greets in text mode before the hello reply: those lines are dropped;
 * a refusal of the hello is not, and after the reply a line that is not
 * a frame is reported again.
 */
static void
test_text_greeting(void **state)
{
	struct fixture	*fx = *state;

	expect_hello(fx, "CHAT/2 nick=alice");
	server_says(fx, "*** welcome to chat-server 0.1.0; you are guest1\r\n"
	    "*** 2 users online; type /help for commands\r\n"
	    "[12:00] <bob> morning\r\n"
	    "*** guest1 joined lobby\r\n"
	    "<guest1> CHAT/2 nick=alice\r\n");
	assert_int_equal(fx->seen.nbad, 0);
	assert_int_equal(fx->seen.nframes, 0);
	assert_int_equal(session_state(fx->s), SESSION_HELLO);
	server_says(fx, "*** error: unsupported protocol version 2 (this "
	    "server speaks 3)\r\n");
	assert_int_equal(fx->seen.nbad, 1);
	welcome(fx);
	assert_int_equal(fx->seen.nframes, 1);
	server_says(fx, "*** welcome to chat-server 0.1.0\r\n");
	assert_int_equal(fx->seen.nbad, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hello_and_resume, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_new_epoch_resets_last,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unwritten_lines_back,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_finish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finish_waits_for_acks,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_resend_after_loss, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_busy_until_acked, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reconnect_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_first_connect_fails,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_lookup, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lookup_timeout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_freed_during_lookup,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_greeting, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
