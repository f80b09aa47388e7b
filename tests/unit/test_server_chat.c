/*
 * test_server_chat.c: users, the nick table, command dispatch, message
 * ids and history, and replay as a joiner drains, driven over
 * socketpairs through the server's own loop.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "chat.h"
#include "cmd.h"
#include "conn.h"
#include "log.h"
#include "loop.h"
#include "proto.h"
#include "room.h"
#include "store.h"
#include "stream.h"

/* The server's modules, put together as main.c does. */
struct srv {
	struct loop	*loop;
	struct store	*store;
	struct rooms	*rooms;
	struct conns	*conns;
	struct chat	*chat;
};

struct peer {
	int	 fd;		/* the test's end */
	char	 buf[1 << 20];
	size_t	 len;
};

static void
before_sleep(void *arg)
{
	struct srv	*s = arg;

	conns_input(s->conns);
	do {
		rooms_settle(s->rooms);
		conns_drop(s->conns);
		conns_flush(s->conns);
	} while (rooms_dirty(s->rooms) || conns_busy(s->conns));
	conns_reap(s->conns);
}

static struct srv *
srv_new(unsigned history, size_t sendq)
{
	struct conn_limits	 lim = { sendq, sendq * 16, 10000, 0, 20 };
	struct srv		*s;

	assert_non_null(s = calloc(1, sizeof(*s)));
	assert_non_null(s->loop = loop_new());
	assert_non_null(s->store = store_mem_new(history));
	assert_non_null(s->rooms = rooms_new(s->store, history));
	assert_non_null(s->conns = conns_new(s->loop, &lim));
	assert_non_null(s->chat = chat_new(s->loop, s->conns, s->rooms,
	    PROTO_DEAD_SECS, cmd_line));
	loop_before(s->loop, before_sleep, s);
	return s;
}

static void
srv_free(struct srv *s)
{
	rooms_free(s->rooms);
	chat_free(s->chat);
	conns_free(s->conns);
	store_free(s->store);
	loop_free(s->loop);
	free(s);
}

static void
nothing(void *arg)
{
	(void)arg;
}

/* One turn of the loop, bounded by a short timer. */
static void
turn(struct srv *s)
{
	struct loop_timer	t;

	memset(&t, 0, sizeof(t));
	loop_timer_set(s->loop, &t, 5, nothing, NULL);
	assert_int_equal(loop_once(s->loop), 0);
	loop_timer_cancel(s->loop, &t);
}

/* Writes a line as the peer. */
static void
say(struct srv *s, struct peer *p, const char *line)
{
	size_t	len = strlen(line);

	assert_int_equal(write(p->fd, line, len), (ssize_t)len);
	assert_int_equal(write(p->fd, "\n", 1), 1);
	turn(s);
	turn(s);
}

/* A connection over a socketpair; its first line is hello, or empty. */
static struct peer *
peer_new(struct srv *s, const char *hello)
{
	struct peer	*p;
	int		 sv[2];

	assert_non_null(p = calloc(1, sizeof(*p)));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	assert_int_equal(chat_accept(s->chat, stream_plain(sv[0]), "peer"),
	    0);
	p->fd = sv[1];
	say(s, p, hello != NULL ? hello : "");
	return p;
}

/* Everything the server has sent the peer since the last call. */
static const char *
peer_read(struct srv *s, struct peer *p)
{
	ssize_t	 n;

	turn(s);
	p->len = 0;
	while ((n = read(p->fd, p->buf + p->len, sizeof(p->buf) - 1 -
	    p->len)) > 0)
		p->len += (size_t)n;
	p->buf[p->len] = '\0';
	return p->buf;
}

static void
peer_free(struct peer *p)
{
	close(p->fd);
	free(p);
}

static void
test_registry(void **state)
{
	struct srv	*s = srv_new(50, 1 << 20);
	struct room	*lobby;
	struct peer	*a, *b;
	const char	*out;

	(void)state;
	a = peer_new(s, NULL);
	b = peer_new(s, NULL);
	assert_non_null(chat_find(s->chat, "GUEST1", 6));
	assert_string_equal(user_nick(chat_find(s->chat, "guest2", 6)),
	    "guest2");
	assert_int_equal(chat_nusers(s->chat), 2);
	lobby = room_find(s->rooms, "lobby", 5);
	assert_int_equal(room_count(lobby), 2);
	out = peer_read(s, a);
	assert_non_null(strstr(out, "you are guest1"));

	say(s, a, "/nick Alice");
	assert_non_null(chat_find(s->chat, "alice", 5));
	assert_null(chat_find(s->chat, "guest1", 6));
	out = peer_read(s, b);
	assert_non_null(strstr(out, "*** guest1 is now known as Alice\r\n"));

	say(s, b, "/nick ALICE");
	out = peer_read(s, b);
	assert_non_null(strstr(out, "*** error: nick ALICE is already in use"));
	assert_non_null(chat_find(s->chat, "guest2", 6));
	say(s, b, "/nick 9x");
	out = peer_read(s, b);
	assert_non_null(strstr(out, "*** error: invalid nick"));

	/* A guest number taken by /nick is skipped. */
	say(s, b, "/nick guest3");
	peer_free(peer_new(s, NULL));
	assert_non_null(chat_find(s->chat, "guest4", 6));

	say(s, a, "/quit bye");
	assert_null(chat_find(s->chat, "alice", 5));
	out = peer_read(s, b);
	assert_non_null(strstr(out, "*** Alice quit (bye)\r\n"));
	peer_free(a);
	peer_free(b);
	srv_free(s);
}

static void
test_dispatch(void **state)
{
	struct srv	*s = srv_new(50, 1 << 20);
	struct peer	*a, *b;
	const char	*out;

	(void)state;
	a = peer_new(s, NULL);
	b = peer_new(s, "CHAT/1 nick=bob");
	peer_read(s, a);
	out = peer_read(s, b);
	assert_true(strncmp(out, "hello ", 6) == 0);

	say(s, a, "/bogus");
	out = peer_read(s, a);
	assert_non_null(strstr(out, "*** error: unknown command /bogus"));
	assert_non_null(strstr(out, "/help"));

	say(s, a, "/msg bob hi");
	out = peer_read(s, b);
	assert_non_null(strstr(out, "priv "));
	assert_non_null(strstr(out, " guest1 0 0 hi\r\n"));
	assert_string_equal(peer_read(s, a), "-> *bob* hi\r\n");

	/* What is empty once cleaned is refused, not dropped silently. */
	say(s, a, "/msg bob \x01\x02");
	assert_non_null(strstr(peer_read(s, a), "*** error: nothing to send"));
	say(s, a, "\x1b[2J\x07");
	assert_non_null(strstr(peer_read(s, a), "*** error: nothing to send"));
	assert_string_equal(peer_read(s, b), "");

	say(s, a, "/ping t1");
	assert_string_equal(peer_read(s, a), "*** pong t1\r\n");

	say(s, a, "plain text");
	assert_string_equal(peer_read(s, a), "");	/* no echo */
	assert_non_null(strstr(peer_read(s, b), " guest1 "));

	say(s, b, "/join dev");
	assert_int_equal(room_count(room_find(s->rooms, "lobby", 5)), 1);
	assert_non_null(room_find(s->rooms, "DEV", 3));
	assert_string_equal(peer_read(s, a),
	    "*** bob left lobby (joined dev)\r\n");
	say(s, b, "/join lobby");
	assert_null(room_find(s->rooms, "dev", 3));	/* vanished */
	say(s, a, "/rooms");
	assert_string_equal(strstr(peer_read(s, a), "*** rooms"),
	    "*** rooms: lobby (2)\r\n");

	/* A hello after other lines is refused, never relayed. */
	say(s, a, "CHAT/1 nick=x");
	assert_non_null(strstr(peer_read(s, a), "*** error: a line starting "
	    "CHAT/ is a hello"));
	assert_null(strstr(peer_read(s, b), "CHAT/1"));

	say(s, a, "/quit");
	assert_null(chat_find(s->chat, "guest1", 6));
	peer_free(a);
	peer_free(b);
	srv_free(s);
}

/* The ids of the msg frames in buf, in order; returns how many. */
static int
msg_ids(char *buf, uint64_t *ids, int max)
{
	struct frame	 fr;
	char		*line, *save;
	int		 n = 0;

	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		assert_int_equal(frame_decode(line, strcspn(line, "\r"), &fr),
		    0);
		if (fr.kind == FRAME_MSG) {
			assert_true(n < max);
			ids[n++] = fr.id;
		}
	}
	return n;
}

static void
test_ids_history(void **state)
{
	struct srv	*s = srv_new(3, 1 << 20);
	struct peer	*a, *f;
	struct room	*lobby, *r;
	char		 hello[128];
	uint64_t	 epoch, ids[8];
	int		 i;

	(void)state;
	lobby = room_find(s->rooms, "lobby", 5);
	r = room_open(s->rooms, "other", 5);
	assert_true(room_epoch(r) > room_epoch(lobby));
	a = peer_new(s, NULL);
	for (i = 0; i < 5; i++)
		say(s, a, "m");
	assert_int_equal(room_last_id(lobby), 5);
	assert_int_equal(room_last_id(r), 0);
	epoch = room_epoch(lobby);

	/* Resume after id 3: exactly 4 and 5. */
	snprintf(hello, sizeof(hello), "CHAT/1 nick=f epoch=%llu last=3",
	    (unsigned long long)epoch);
	f = peer_new(s, hello);
	peer_read(s, f);
	assert_int_equal(msg_ids(f->buf, ids, 8), 2);
	assert_int_equal(ids[0], 4);
	assert_int_equal(ids[1], 5);
	peer_free(f);

	/* Resume after id 1 with a ring of 3: a gap notice first. */
	snprintf(hello, sizeof(hello), "CHAT/1 nick=g epoch=%llu last=1",
	    (unsigned long long)epoch);
	f = peer_new(s, hello);
	assert_non_null(strstr(peer_read(s, f), "1 messages missed"));
	assert_non_null(strstr(f->buf, "3 messages"));
	peer_free(f);
	peer_free(a);
	srv_free(s);
}

/*
 * History far larger than the send queue reaches a joiner whole, as it
 * drains, and only then is it a member: it is not dropped, and what was
 * said meanwhile comes after, in order.
 */
static void
test_replay_drains(void **state)
{
	struct srv	*s = srv_new(50, 4096);
	struct peer	*a, *f;
	char		 line[4001], *got;
	uint64_t	 ids[64];
	size_t		 total = 0;
	int		 i, n;

	(void)state;
	a = peer_new(s, NULL);
	memset(line, '\\', sizeof(line) - 1);	/* twice as long escaped */
	line[sizeof(line) - 1] = '\0';
	for (i = 0; i < 50; i++)
		say(s, a, line);
	f = peer_new(s, "CHAT/1 nick=f");
	assert_non_null(got = malloc(1 << 21));
	/* Read a little at a time; a line is said halfway. */
	for (i = 0; i < 400 && strstr(f->buf, "join ") == NULL; i++) {
		peer_read(s, f);
		assert_true(total + f->len < (1 << 21));
		memcpy(got + total, f->buf, f->len + 1);
		total += f->len;
		if (i == 2)
			say(s, a, "meanwhile");
	}
	assert_null(strstr(got, "send queue exceeded"));
	assert_non_null(chat_find(s->chat, "f", 1));
	n = msg_ids(got, ids, 64);
	assert_int_equal(n, 51);
	for (i = 0; i < n; i++)
		assert_int_equal(ids[i], (uint64_t)i + 1);
	free(got);
	peer_free(f);
	peer_free(a);
	srv_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_ids_history),
		cmocka_unit_test(test_replay_drains),
	};

	signal(SIGPIPE, SIG_IGN);
	log_init("test_server_chat", LOG_QUIET, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
