/*
 * test_frame.c: frame lines round-trip any bytes, malformed lines are
 * refused, every kind renders as text mode shows it, and the nick
 * decorations are the ones rendering uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

#define LAST_KIND	FRAME_ACK

static struct frame
mkframe(enum frame_kind kind, const char *room, const char *nick,
    const char *text)
{
	struct frame	f;

	memset(&f, 0, sizeof(f));
	f.kind = kind;
	f.ts = 1700000000123LL;
	f.room = room;
	f.roomlen = strlen(room);
	f.nick = nick;
	f.nicklen = strlen(nick);
	f.epoch = 1699999999000ULL;
	f.id = 42;
	f.text = text;
	f.textlen = strlen(text);
	return f;
}

static void
test_kind_names(void **state)
{
	static const char *const want[] = { "hello", "msg", "act", "priv",
	    "privto", "join", "part", "quit", "nick", "who", "rooms", "replay",
	    "notice", "error", "shutdown", "pong", "ack" };
	struct frame	 f;
	char		 line[128];
	const char	*name;
	int		 k;
	size_t		 i;

	(void)state;
	assert_int_equal(LAST_KIND - FRAME_UNKNOWN,
	    sizeof(want) / sizeof(want[0]));
	for (k = FRAME_UNKNOWN + 1; k <= LAST_KIND; k++) {
		/* A frame of kind k goes out under its name. */
		memset(&f, 0, sizeof(f));
		f.kind = (enum frame_kind)k;
		assert_true(frame_encode(&f, line, sizeof(line)) > 0);
		name = want[k - 1];
		assert_memory_equal(line, name, strlen(name));
		assert_int_equal(line[strlen(name)], ' ');
		assert_int_equal(frame_kind_parse(name, strlen(name)), k);
		for (i = 0; name[i] != '\0'; i++)
			assert_true(name[i] >= 'a' && name[i] <= 'z');
	}
	assert_int_equal(frame_kind_parse("MSG", 3), FRAME_UNKNOWN);
	assert_int_equal(frame_kind_parse("ms", 2), FRAME_UNKNOWN);
	assert_int_equal(frame_kind_parse("msgs", 4), FRAME_UNKNOWN);
	assert_int_equal(frame_kind_parse("msg", 2), FRAME_UNKNOWN);
	assert_int_equal(frame_kind_parse("", 0), FRAME_UNKNOWN);
	assert_int_equal(frame_kind_parse("bogus", 5), FRAME_UNKNOWN);
}

struct ecase {
	struct frame	 f;
	const char	*line;
};

static void
test_encode(void **state)
{
	struct ecase	c[6];
	char		buf[512];
	size_t		i;
	int		n;

	(void)state;
	c[0].f = mkframe(FRAME_MSG, "lobby", "bob", "hello, world");
	c[0].line = "msg 1700000000123 lobby bob 1699999999000 42 "
	    "hello, world\r\n";
	c[1].f = mkframe(FRAME_NOTICE, "", "", "");
	c[1].f.epoch = c[1].f.id = 0;
	c[1].line = "notice 1700000000123 - - 0 0 \r\n";
	c[2].f = mkframe(FRAME_PRIV, "-", "a b", "x");
	c[2].line = "priv 1700000000123 \\x2d a\\sb 1699999999000 42 x\r\n";
	c[3].f = mkframe(FRAME_MSG, "r", "n", "a\\b\nc\rd\te\x01\x7f f  \x1b[2J");
	c[3].line = "msg 1700000000123 r n 1699999999000 42 "
	    "a\\\\b\\nc\\rd\\te\\x01\\x7f f  \\x1b[2J\r\n";
	c[4].f = mkframe(FRAME_WHO, "dev", "", " a  b ");
	c[4].line = "who 1700000000123 dev - 1699999999000 42  a  b \r\n";
	c[5].f = mkframe(FRAME_UNKNOWN, "r", "n", "t");
	c[5].f.kindname = "future";
	c[5].f.kindlen = 6;
	c[5].line = "future 1700000000123 r n 1699999999000 42 t\r\n";
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		n = frame_encode(&c[i].f, buf, sizeof(buf));
		assert_int_equal(n, (int)strlen(c[i].line));
		assert_string_equal(buf, c[i].line);
	}
	/* A UTF-8 text passes as it is. */
	c[0].f = mkframe(FRAME_MSG, "r", "n", "\xc3\xa9\xf0\x9f\x8e\x89");
	n = frame_encode(&c[0].f, buf, sizeof(buf));
	assert_non_null(strstr(buf, " \xc3\xa9\xf0\x9f\x8e\x89\r\n"));
	/* An unknown kind without a name cannot be sent. */
	c[0].f = mkframe(FRAME_UNKNOWN, "r", "n", "t");
	assert_int_equal(frame_encode(&c[0].f, buf, sizeof(buf)), -1);
	c[0].f.kindname = "Bad";
	c[0].f.kindlen = 3;
	assert_int_equal(frame_encode(&c[0].f, buf, sizeof(buf)), -1);
}

/* Every cap below the length fails; the exact length fits. */
static void
test_encode_cap(void **state)
{
	struct frame	f;
	char		buf[128];
	size_t		cap;
	int		len, n;

	(void)state;
	f = mkframe(FRAME_ACT, "lobby", "bob", "waves\t");
	len = frame_encode(&f, buf, sizeof(buf));
	assert_true(len > 0);
	for (cap = 0; cap < (size_t)len; cap++) {
		memset(buf, 'Z', sizeof(buf));
		assert_int_equal(frame_encode(&f, buf, cap), -1);
		assert_int_equal(buf[cap], 'Z');
	}
	memset(buf, 'Z', sizeof(buf));
	n = frame_encode(&f, buf, len);
	assert_int_equal(n, len);
	assert_int_equal(buf[len], 'Z');
	assert_memory_equal(buf + len - 2, "\r\n", 2);
}

struct dcase {
	const char	*line;
	enum frame_kind	 kind;
	int64_t		 ts;
	const char	*room;
	const char	*nick;
	uint64_t	 epoch;
	uint64_t	 id;
	const char	*text;
	size_t		 textlen;
};

static const struct dcase dcases[] = {
	{ "msg 1 lobby bob 2 3 hi there", FRAME_MSG, 1, "lobby", "bob", 2, 3,
	    "hi there", 8 },
	{ "notice 0 - - 0 0 ", FRAME_NOTICE, 0, "", "", 0, 0, "", 0 },
	{ "nick 5 r \\x2d 0 0 new", FRAME_NICK, 5, "r", "-", 0, 0, "new", 3 },
	{ "msg 9 a\\sb \\\\ 0 0 \\s\\x1B\\x00z", FRAME_MSG, 9, "a b", "\\",
	    0, 0, " \x1b\0z", 4 },
	{ "future 1 - - 0 0 anything", FRAME_UNKNOWN, 1, "", "", 0, 0,
	    "anything", 8 },
	{ "pong 9223372036854775807 - - 18446744073709551615 0 t",
	    FRAME_PONG, INT64_MAX, "", "", UINT64_MAX, 0, "t", 1 },
	{ "msg 1 - - 0 0 a b  c ", FRAME_MSG, 1, "", "", 0, 0, "a b  c ",
	    7 },
};

static void
test_decode(void **state)
{
	const struct dcase	*c;
	struct frame		 f;
	char			 line[256];
	size_t			 i, len;

	(void)state;
	for (i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		c = &dcases[i];
		len = strlen(c->line);
		memcpy(line, c->line, len + 1);
		if (frame_decode(line, len, &f) != 0)
			fail_msg("\"%s\" refused", c->line);
		assert_int_equal(f.kind, c->kind);
		assert_true(f.ts == c->ts);
		assert_int_equal(f.roomlen, strlen(c->room));
		assert_string_equal(f.room, c->room);
		assert_int_equal(f.nicklen, strlen(c->nick));
		assert_string_equal(f.nick, c->nick);
		assert_true(f.epoch == c->epoch);
		assert_true(f.id == c->id);
		assert_int_equal(f.textlen, c->textlen);
		assert_memory_equal(f.text, c->text, c->textlen);
		assert_int_equal(f.kindlen, strcspn(c->line, " "));
		assert_memory_equal(f.kindname, c->line, f.kindlen);
	}
}

static const char *const malformed[] = {
	"",
	"msg",
	"msg ",
	"msg 1 lobby bob 2 3",		/* no space before the text */
	"msg 1 lobby bob 2",
	"msg 1 lobby",
	"msg x lobby bob 2 3 t",
	"msg 1x lobby bob 2 3 t",
	"msg -1 lobby bob 2 3 t",
	"msg 9223372036854775808 - - 0 0 t",	/* ts above INT64_MAX */
	"msg 1 - - 18446744073709551616 0 t",
	"msg 1 - - 0 99999999999999999999 t",
	"msg 1 lobby bob 2x 3 t",
	"msg 1 lobby bob 2 +3 t",
	"msg 1  bob 2 3 t",		/* empty field */
	"msg  1 lobby bob 2 3 t",
	" msg 1 lobby bob 2 3 t",
	"Msg 1 - - 0 0 t",
	"m.g 1 - - 0 0 t",
	"1msg 1 - - 0 0 t",
	"msg 1 - - 0 0 bad\\q",
	"msg 1 - - 0 0 trailing\\",
	"msg 1 - - 0 0 \\x4",
	"msg 1 - - 0 0 \\xzz",
	"msg 1 - - 0 0 \\x",
	"msg 1 lo\\qby bob 2 3 t",
	"msg 1 lobby bob\\ 2 3 t",
	"msg 1 lobby b\\x4 2 3 t",
};

static void
test_malformed(void **state)
{
	struct frame	f;
	char		line[256];
	size_t		i, len;

	(void)state;
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		len = strlen(malformed[i]);
		memcpy(line, malformed[i], len + 1);
		if (frame_decode(line, len, &f) != -1)
			fail_msg("\"%s\" accepted", malformed[i]);
	}
}

static size_t
random_bytes(char *buf, size_t max)
{
	size_t	len, i;

	len = (size_t)rand() % (max + 1);
	for (i = 0; i < len; i++) {
		switch (rand() % 4) {
		case 0:
			buf[i] = " -\\\r\n\t\x7f"[rand() % 8];
			break;
		default:
			buf[i] = (char)rand();
			break;
		}
	}
	return len;
}

static uint64_t
random_u64(void)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 4; i++)
		v = v << 16 | (uint64_t)(rand() & 0xffff);
	return v >> (rand() % 64);
}

/* Any bytes in room, nick and text survive encode then decode. */
static void
test_round_trip(void **state)
{
	char		 room[40], nick[40], text[300], line[2048];
	struct frame	 f, g;
	size_t		 i;
	int		 n, k;

	(void)state;
	srand(8008);
	for (k = 0; k < 100000; k++) {
		memset(&f, 0, sizeof(f));
		f.kind = (enum frame_kind)(1 + rand() % LAST_KIND);
		f.ts = (int64_t)(random_u64() >> 1);
		f.room = room;
		f.roomlen = random_bytes(room, k % 7 == 0 ? 1 : sizeof(room));
		f.nick = nick;
		f.nicklen = random_bytes(nick, sizeof(nick));
		f.epoch = random_u64();
		f.id = random_u64();
		f.text = text;
		f.textlen = random_bytes(text, sizeof(text));
		n = frame_encode(&f, line, sizeof(line));
		assert_true(n > 2);
		/* One line: CRLF at the end, no control byte before it. */
		assert_memory_equal(line + n - 2, "\r\n", 2);
		for (i = 0; i < (size_t)n - 2; i++) {
			if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
				fail_msg("control byte in \"%.*s\"", n, line);
		}
		assert_int_equal(frame_decode(line, n - 2, &g), 0);
		assert_int_equal(g.kind, f.kind);
		assert_true(g.ts == f.ts);
		assert_int_equal(g.roomlen, f.roomlen);
		assert_memory_equal(g.room, room, f.roomlen);
		assert_int_equal(g.nicklen, f.nicklen);
		assert_memory_equal(g.nick, nick, f.nicklen);
		assert_true(g.epoch == f.epoch);
		assert_true(g.id == f.id);
		assert_int_equal(g.textlen, f.textlen);
		assert_memory_equal(g.text, text, f.textlen);
	}
}

struct rcase {
	enum frame_kind	 kind;
	const char	*room;
	const char	*nick;
	const char	*text;
	const char	*want;
};

static const struct rcase rcases[] = {
	{ FRAME_MSG, "lobby", "bob", "hi there", "<bob> hi there" },
	{ FRAME_MSG, "lobby", "bob", "", "<bob> " },
	{ FRAME_ACT, "lobby", "bob", "waves", "* bob waves" },
	{ FRAME_PRIV, "", "ann", "psst", "*ann* psst" },
	{ FRAME_PRIVTO, "", "ann", "psst", "-> *ann* psst" },
	{ FRAME_JOIN, "dev", "bob", "", "*** bob joined dev" },
	{ FRAME_PART, "dev", "bob", "bye", "*** bob left dev (bye)" },
	{ FRAME_PART, "dev", "bob", "", "*** bob left dev" },
	{ FRAME_QUIT, "dev", "bob", "gone", "*** bob quit (gone)" },
	{ FRAME_QUIT, "dev", "bob", "", "*** bob quit" },
	{ FRAME_NICK, "dev", "bob", "robert",
	    "*** bob is now known as robert" },
	{ FRAME_WHO, "dev", "", "a b c", "*** users in dev (3): a b c" },
	{ FRAME_WHO, "dev", "", "solo", "*** users in dev (1): solo" },
	{ FRAME_WHO, "dev", "", "", "*** users in dev (0)" },
	{ FRAME_ROOMS, "", "", "lobby:3 dev:1",
	    "*** rooms: lobby (3), dev (1)" },
	{ FRAME_ROOMS, "", "", "lobby:12", "*** rooms: lobby (12)" },
	{ FRAME_REPLAY, "dev", "", "12 messages", "*** 12 messages" },
	{ FRAME_NOTICE, "", "", "welcome", "*** welcome" },
	{ FRAME_SHUTDOWN, "", "", "server shutting down",
	    "*** server shutting down" },
	{ FRAME_ERROR, "", "", "no such nick", "*** error: no such nick" },
	{ FRAME_PONG, "", "", "tok1", "*** pong tok1" },
	{ FRAME_HELLO, "lobby", "bob", "chat-server 0.1.0",
	    "*** connected to lobby as bob" },
};

static void
test_render(void **state)
{
	const struct rcase	*c;
	struct frame		 f;
	char			 buf[256], want[256];
	size_t			 i;
	int			 n;

	(void)state;
	for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		c = &rcases[i];
		f = mkframe(c->kind, c->room, c->nick, c->text);
		n = proto_render_text(&f, 0, buf, sizeof(buf));
		assert_int_equal(n, (int)strlen(c->want));
		assert_string_equal(buf, c->want);
		n = proto_render_text(&f, RENDER_CRLF, buf, sizeof(buf));
		strcpy(want, c->want);
		strcat(want, "\r\n");
		assert_int_equal(n, (int)strlen(want));
		assert_string_equal(buf, want);
		/* Every cap short of the length fails. */
		assert_int_equal(proto_render_text(&f, RENDER_CRLF, buf,
		    (size_t)n - 1), -1);
		assert_int_equal(proto_render_text(&f, RENDER_CRLF, buf,
		    (size_t)n), n);
	}
}

/* The time prefix is the local time of ts. */
static void
test_render_time(void **state)
{
	struct frame	f;
	char		buf[128];

	(void)state;
	f = mkframe(FRAME_MSG, "lobby", "bob", "hi");
	/* 1700000000123 ms is 2023-11-14 22:13:20 UTC. */
	setenv("TZ", "UTC0", 1);
	tzset();
	assert_int_equal(proto_render_text(&f, RENDER_TIME, buf, sizeof(buf)),
	    16);
	assert_string_equal(buf, "[22:13] <bob> hi");
	setenv("TZ", "IST-5:30", 1);
	tzset();
	proto_render_text(&f, RENDER_TIME | RENDER_CRLF, buf, sizeof(buf));
	assert_string_equal(buf, "[03:43] <bob> hi\r\n");
	f = mkframe(FRAME_ACT, "lobby", "bob", "waves");
	f.ts = 0;
	setenv("TZ", "UTC0", 1);
	tzset();
	proto_render_text(&f, RENDER_TIME, buf, sizeof(buf));
	assert_string_equal(buf, "[00:00] * bob waves");
	assert_int_equal(proto_render_text(&f, RENDER_TIME, buf, 8), -1);
}

/*
 * The decorations of the four kinds that carry a nick, and none for the
 * rest; text mode renders a line as pre, nick, post, text.
 */
static void
test_decoration(void **state)
{
	static const struct {
		enum frame_kind	 kind;
		const char	*pre, *post;
	} deco[] = {
		{ FRAME_MSG, "<", "> " },
		{ FRAME_ACT, "* ", " " },
		{ FRAME_PRIV, "*", "* " },
		{ FRAME_PRIVTO, "-> *", "* " },
	};
	const char	*pre, *post;
	struct frame	 f;
	char		 buf[128], want[128];
	size_t		 i;
	int		 k, n;

	(void)state;
	for (i = 0; i < sizeof(deco) / sizeof(deco[0]); i++) {
		pre = post = NULL;
		assert_int_equal(proto_decoration(deco[i].kind, &pre, &post),
		    1);
		assert_string_equal(pre, deco[i].pre);
		assert_string_equal(post, deco[i].post);
		f = mkframe(deco[i].kind, "lobby", "bob", "hi there");
		n = proto_render_text(&f, 0, buf, sizeof(buf));
		snprintf(want, sizeof(want), "%sbob%shi there", pre, post);
		assert_int_equal(n, (int)strlen(want));
		assert_string_equal(buf, want);
	}
	for (k = FRAME_UNKNOWN; k <= LAST_KIND; k++) {
		if (k >= FRAME_MSG && k <= FRAME_PRIVTO)
			continue;
		pre = post = NULL;
		assert_int_equal(proto_decoration((enum frame_kind)k, &pre,
		    &post), 0);
		assert_string_equal(pre, "");
		assert_string_equal(post, "");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_encode_cap),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_time),
		cmocka_unit_test(test_decoration),
	};

	alarm(60);
	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
