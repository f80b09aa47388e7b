/*
 * test_server_chat.c: the room and user registry, command dispatch, and
 * message ids and history, driven over socketpairs without the loop.
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
#include "conn.h"
#include "log.h"
#include "loop.h"
#include "proto.h"
#include "room.h"
#include "server.h"

struct peer {
	struct conn	*c;
	int		 fd;		/* the test's end */
	char		 buf[65536];
};

static struct server *
srv_new(unsigned history)
{
	struct server	*srv;

	srv = calloc(1, sizeof *srv);
	assert_non_null(srv);
	srv->cf.history = history;
	srv->cf.sendq = 1 << 20;
	srv->cf.flood_rate = 0;
	srv->cf.flood_burst = 20;
	srv->cf.dead_secs = PROTO_DEAD_SECS;
	srv->loop = loop_new();
	assert_non_null(srv->loop);
	srv->lobby = room_create(srv, "lobby", 5);
	assert_non_null(srv->lobby);
	return srv;
}

static void
srv_free(struct server *srv)
{
	conn_free_all(srv);
	srv->lobby = NULL;
	while (srv->rooms != NULL)
		room_free(srv->rooms);
	loop_free(srv->loop);
	free(srv);
}

/* A connection over a socketpair; hello NULL registers it as text. */
static struct peer *
peer_new(struct server *srv, const char *hello)
{
	struct peer	*p;
	int		 sv[2];

	p = calloc(1, sizeof *p);
	assert_non_null(p);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	p->c = conn_new(srv, sv[0]);
	assert_non_null(p->c);
	p->fd = sv[1];
	chat_register(p->c, hello, hello != NULL ? strlen(hello) : 0);
	return p;
}

/* Everything the server has sent the peer since the last call. */
static const char *
peer_read(struct server *srv, struct peer *p)
{
	ssize_t	 n;
	size_t	 len = 0;

	conn_before_sleep(srv);
	while ((n = read(p->fd, p->buf + len, sizeof p->buf - 1 - len)) > 0)
		len += (size_t)n;
	p->buf[len] = '\0';
	return p->buf;
}

static void
peer_free(struct peer *p)
{
	close(p->fd);
	free(p);
}

static void
say(struct peer *p, const char *line)
{
	chat_line(p->c, line, strlen(line));
}

static void
test_registry(void **state)
{
	struct server	*srv = srv_new(50);
	struct peer	*a, *b;
	const char	*out;

	(void)state;
	a = peer_new(srv, NULL);
	b = peer_new(srv, NULL);
	assert_string_equal(a->c->nick, "guest1");
	assert_string_equal(b->c->nick, "guest2");
	assert_int_equal(srv->nusers, 2);
	assert_ptr_equal(chat_find(srv, "GUEST1", 6), a->c);
	assert_int_equal(room_count(srv->lobby), 2);
	out = peer_read(srv, a);
	assert_non_null(strstr(out, "you are guest1"));

	say(a, "/nick Alice");
	assert_ptr_equal(chat_find(srv, "alice", 5), a->c);
	assert_null(chat_find(srv, "guest1", 6));
	out = peer_read(srv, b);
	assert_non_null(strstr(out, "*** guest1 is now known as Alice\r\n"));

	say(b, "/nick ALICE");
	out = peer_read(srv, b);
	assert_non_null(strstr(out, "*** error: nick ALICE is already in use"));
	assert_string_equal(b->c->nick, "guest2");
	say(b, "/nick 9x");
	out = peer_read(srv, b);
	assert_non_null(strstr(out, "*** error: invalid nick"));

	/* A guest number taken by /nick is skipped. */
	say(b, "/nick guest3");
	peer_free(peer_new(srv, NULL));
	assert_non_null(chat_find(srv, "guest4", 6));

	chat_leave(a->c, "bye", 1);
	assert_null(chat_find(srv, "alice", 5));
	assert_int_equal(srv->nusers, 2);
	out = peer_read(srv, b);
	assert_non_null(strstr(out, "*** Alice quit (bye)\r\n"));
	peer_free(a);
	peer_free(b);
	srv_free(srv);
}

static void
test_dispatch(void **state)
{
	struct server	*srv = srv_new(50);
	struct peer	*a, *b;
	const char	*out;

	(void)state;
	a = peer_new(srv, NULL);
	b = peer_new(srv, "CHAT/1 nick=bob");
	assert_int_equal(b->c->mode, CONN_FRAME);
	peer_read(srv, a);
	out = peer_read(srv, b);
	assert_true(strncmp(out, "hello ", 6) == 0);

	say(a, "/bogus");
	out = peer_read(srv, a);
	assert_non_null(strstr(out, "*** error: unknown command /bogus"));
	assert_non_null(strstr(out, "/help"));

	say(a, "/msg bob hi");
	out = peer_read(srv, b);
	assert_non_null(strstr(out, "priv "));
	assert_non_null(strstr(out, " guest1 0 0 hi\r\n"));
	out = peer_read(srv, a);
	assert_string_equal(out, "-> *bob* hi\r\n");

	say(a, "/ping t1");
	assert_string_equal(peer_read(srv, a), "*** pong t1\r\n");

	say(a, "plain text");
	assert_string_equal(peer_read(srv, a), "");	/* no echo */
	assert_non_null(strstr(peer_read(srv, b), " guest1 "));

	say(b, "/join dev");
	assert_int_equal(room_count(srv->lobby), 1);
	assert_non_null(room_find(srv, "DEV", 3));
	out = peer_read(srv, a);
	assert_string_equal(out, "*** bob left lobby (joined dev)\r\n");
	say(b, "/join lobby");
	assert_null(room_find(srv, "dev", 3));	/* vanished */
	say(a, "/rooms");
	assert_string_equal(strstr(peer_read(srv, a), "*** rooms"),
	    "*** rooms: lobby (2)\r\n");

	say(a, "/quit");
	assert_true(a->c->flags & CONN_LINGER);
	assert_null(chat_find(srv, "guest1", 6));
	peer_free(a);
	peer_free(b);
	srv_free(srv);
}

static void
test_ids_history(void **state)
{
	struct server	*srv = srv_new(3);
	struct peer	*a, *f;
	struct frame	 fr;
	struct room	*r;
	char		 hello[128], *line, *save;
	uint64_t	 epoch, ids[8];
	int		 i, n;

	(void)state;
	r = room_create(srv, "other", 5);
	assert_true(room_epoch(r) > room_epoch(srv->lobby));
	a = peer_new(srv, NULL);
	for (i = 0; i < 5; i++)
		say(a, "m");
	assert_int_equal(room_last_id(srv->lobby), 5);
	assert_int_equal(room_last_id(r), 0);
	epoch = room_epoch(srv->lobby);

	/* Resume after id 3: exactly 4 and 5. */
	snprintf(hello, sizeof hello, "CHAT/1 nick=f epoch=%llu last=3",
	    (unsigned long long)epoch);
	f = peer_new(srv, hello);
	peer_read(srv, f);
	n = 0;
	for (line = strtok_r(f->buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		assert_int_equal(frame_decode(line, strcspn(line, "\r"), &fr),
		    0);
		if (fr.kind == FRAME_MSG)
			ids[n++] = fr.id;
		assert_true(n < 8);
	}
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 4);
	assert_int_equal(ids[1], 5);
	peer_free(f);

	/* Resume after id 1 with a ring of 3: a gap notice first. */
	snprintf(hello, sizeof hello, "CHAT/1 nick=g epoch=%llu last=1",
	    (unsigned long long)epoch);
	f = peer_new(srv, hello);
	assert_non_null(strstr(peer_read(srv, f), "1 messages missed"));
	assert_non_null(strstr(f->buf, "3 messages"));
	peer_free(f);
	peer_free(a);
	srv_free(srv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_ids_history),
	};

	signal(SIGPIPE, SIG_IGN);
	log_init("test_server_chat", LOG_QUIET, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
