/*
 * test_client_roster.c: what the client makes of the server's frames,
 * without a socket: own and mention flags, the replay flag, the member
 * list, the resume point of each room and what a hello asks for, and the
 * schedule for taking back a nick an old connection holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "proto.h"
#include "roster.h"

/* Feeds the roster one frame-mode line; returns the frame's flags. */
static int
feed(struct roster *r, const char *line, int64_t now)
{
	char		buf[1024];
	struct frame	f;

	snprintf(buf, sizeof(buf), "%s", line);
	if (frame_decode(buf, strlen(buf), &f) == -1)
		fail_msg("not a frame: %s", line);
	return roster_note(r, &f, now);
}

static const struct {
	const char	*line;
	int		 flags;		/* for a roster of alice */
} flag_cases[] = {
	{ "msg 1 lobby alice 77 1 mine",			ROSTER_OWN },
	{ "msg 1 lobby Alice 77 2 case\\sdoes\\snot\\smatter",	ROSTER_OWN },
	{ "act 1 lobby alice 77 3 waves\\salice",		ROSTER_OWN },
	{ "msg 1 lobby bob 77 4 hey\\salice!",			ROSTER_MENTION },
	{ "msg 1 lobby bob 77 5 ALICE:\\sthere",		ROSTER_MENTION },
	{ "msg 1 lobby bob 77 6 alice",				ROSTER_MENTION },
	{ "act 1 lobby bob 77 7 pokes\\saLiCe",			ROSTER_MENTION },
	{ "msg 1 lobby bob 77 8 malice\\sand\\salices",		0 },
	{ "msg 1 lobby bob 77 9 alice_b\\sand\\sb-alice",	0 },
	{ "msg 1 lobby bob 77 10 ali",				0 },
	{ "msg 1 lobby bob 77 11 ",				0 },
	{ "priv 1 - bob 0 0 psst",				ROSTER_MENTION },
	{ "notice 1 - - 0 0 alice\\sis\\shere",			0 },
	{ "join 1 lobby alice 0 0 ",				0 },
};

static void
test_flags(void **state)
{
	struct roster	*r;
	size_t		 i;
	int		 got;

	(void)state;
	assert_non_null(r = roster_new("alice"));
	for (i = 0; i < sizeof(flag_cases) / sizeof(flag_cases[0]); i++)
		if ((got = feed(r, flag_cases[i].line, 0)) !=
		    flag_cases[i].flags)
			fail_msg("%s: flags %d, want %d", flag_cases[i].line,
			    got, flag_cases[i].flags);
	roster_free(r);
}

/* A replay flags the messages up to the own join, and a lost link ends it. */
static void
test_replay(void **state)
{
	struct roster	*r;

	(void)state;
	assert_non_null(r = roster_new("alice"));
	assert_int_equal(feed(r, "hello 1 lobby alice 77 5 s", 0), 0);
	assert_int_equal(feed(r, "replay 1 lobby - 77 0 2\\smessages", 0), 0);
	assert_int_equal(feed(r, "msg 1 lobby bob 77 4 old", 0),
	    ROSTER_REPLAY);
	assert_int_equal(feed(r, "msg 1 lobby alice 77 5 mine", 0),
	    ROSTER_REPLAY | ROSTER_OWN);
	assert_int_equal(feed(r, "join 1 lobby alice 0 0 ", 0), 0);
	assert_int_equal(feed(r, "msg 1 lobby bob 77 6 new", 0), 0);
	assert_int_equal(feed(r, "replay 1 lobby - 77 0 1\\smessage", 0), 0);
	roster_lost(r);
	assert_int_equal(feed(r, "msg 1 lobby bob 77 7 after", 0), 0);
	roster_free(r);
}

static void
assert_members(const struct roster *r, const char *want)
{
	const char *const	*m = roster_members(r);
	char			 buf[256] = "";
	size_t			 i;

	for (i = 0; i < roster_nmembers(r); i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, m[i]);
	}
	assert_string_equal(buf, want);
}

/* Each line, then the member list after it. */
static const struct {
	const char	*line;
	const char	*members;
} member_steps[] = {
	{ "hello 1 lobby alice 77 0 s",			"" },
	{ "who 1 lobby - 0 0 alice bob carol",		"alice bob carol" },
	{ "join 1 lobby dave 0 0 ",			"alice bob carol dave" },
	{ "join 1 lobby dave 0 0 ",			"alice bob carol dave" },
	{ "part 1 lobby bob 0 0 bye",			"alice carol dave" },
	{ "nick 1 lobby carol 0 0 carla",		"alice dave carla" },
	{ "nick 1 lobby carla 0 0 9bad",		"alice dave carla" },
	{ "quit 1 - dave 0 0 gone",			"alice carla" },
	{ "join 1 elsewhere eve 0 0 ",			"alice carla" },
	{ "part 1 elsewhere carla 0 0 ",		"alice carla" },
	{ "who 1 elsewhere - 0 0 x y",			"alice carla" },
	{ "who 1 lobby - 0 0 alice \\x1b[2J ok",	"alice ok" },
	{ "join 1 dev alice 0 0 ",			"alice" },
	{ "nick 1 dev alice 0 0 alicia",		"alicia" },
	{ "who 1 - - 0 0 alicia zed",			"alicia zed" },
};

static void
test_members(void **state)
{
	struct roster	*r;
	size_t		 i;

	(void)state;
	assert_non_null(r = roster_new("alice"));
	for (i = 0; i < sizeof(member_steps) / sizeof(member_steps[0]); i++) {
		feed(r, member_steps[i].line, 0);
		assert_members(r, member_steps[i].members);
	}
	assert_string_equal(roster_room(r), "dev");
	assert_string_equal(roster_nick(r), "alicia");
	roster_lost(r);
	assert_members(r, "");
	assert_string_equal(roster_room(r), "dev");
	roster_free(r);
}

/* What the next hello asks for, after each line. */
static const struct {
	const char	*line;
	const char	*hello;		/* room epoch last */
} resume_steps[] = {
	{ NULL,						"- 0 0" },
	{ "hello 1 lobby alice 77 5 s",			"lobby 77 0" },
	{ "msg 1 lobby bob 77 6 x",			"lobby 77 6" },
	{ "msg 1 lobby bob 77 4 older",			"lobby 77 6" },
	{ "msg 1 lobby bob 77 0 no\\sid",		"lobby 77 6" },
	{ "msg 1 dev bob 12 40 elsewhere",		"lobby 77 6" },
	{ "join 1 dev alice 0 0 ",			"dev 12 40" },
	{ "join 1 lobby alice 0 0 ",			"lobby 77 6" },
	/* The server restarted: a new epoch, its history gone. */
	{ "hello 1 lobby alice 88 0 s",			"lobby 88 0" },
	{ "msg 1 lobby bob 88 1 y",			"lobby 88 1" },
	{ "msg 1 lobby bob 99 3 newer\\sepoch",		"lobby 99 3" },
};

static void
test_resume(void **state)
{
	struct roster	*r;
	struct hello	 h;
	char		 got[128];
	size_t		 i;

	(void)state;
	assert_non_null(r = roster_new("alice"));
	for (i = 0; i < sizeof(resume_steps) / sizeof(resume_steps[0]); i++) {
		if (resume_steps[i].line != NULL)
			feed(r, resume_steps[i].line, 0);
		memset(&h, 0xff, sizeof(h));
		roster_hello(r, &h);
		assert_string_equal(h.nick, "alice");
		snprintf(got, sizeof(got), "%s %llu %llu",
		    h.room[0] ? h.room : "-", (unsigned long long)h.epoch,
		    (unsigned long long)h.last);
		if (strcmp(got, resume_steps[i].hello) != 0)
			fail_msg("after %s: %s, want %s", resume_steps[i].line,
			    got, resume_steps[i].hello);
	}
	roster_free(r);
}

/* Sixteen rooms are remembered; the one used longest ago goes. */
static void
test_resume_rooms(void **state)
{
	struct roster	*r;
	struct hello	 h;
	char		 line[128];
	int		 i;

	(void)state;
	assert_non_null(r = roster_new("alice"));
	feed(r, "hello 1 r0 alice 7 0 s", 0);
	for (i = 0; i < 17; i++) {
		snprintf(line, sizeof(line), "msg 1 r%d bob 7 %d x", i, i + 1);
		feed(r, line, 0);
		feed(r, "msg 1 r0 bob 7 1 keep\\sr0\\sfresh", 0);
	}
	feed(r, "join 1 r16 alice 0 0 ", 0);
	roster_hello(r, &h);
	assert_int_equal(h.last, 17);
	feed(r, "join 1 r1 alice 0 0 ", 0);
	roster_hello(r, &h);
	assert_int_equal(h.epoch, 0);		/* r1 was forgotten */
	feed(r, "join 1 r0 alice 0 0 ", 0);
	roster_hello(r, &h);
	assert_int_equal(h.last, 1);
	roster_free(r);
}

/* Given a guest nick, the roster asks for its own every 15 s. */
static void
test_reclaim(void **state)
{
	struct roster	*r;
	struct hello	 h;

	(void)state;
	assert_non_null(r = roster_new("alice"));
	assert_int_equal(roster_reclaim_at(r), 0);
	feed(r, "hello 1 lobby guest3 77 0 s", 1000);
	assert_string_equal(roster_nick(r), "guest3");
	assert_int_equal(roster_reclaim_at(r), 1000 + ROSTER_RECLAIM_MS);
	assert_null(roster_reclaim(r, 1000 + ROSTER_RECLAIM_MS - 1));
	assert_string_equal(roster_reclaim(r, 1000 + ROSTER_RECLAIM_MS),
	    "alice");
	assert_int_equal(roster_reclaim_at(r), 1000 + 2 * ROSTER_RECLAIM_MS);
	/* A reconnect asks for the wanted nick, not the guest's. */
	roster_hello(r, &h);
	assert_string_equal(h.nick, "alice");
	/* Back under its own name: no more asking. */
	feed(r, "nick 1 lobby guest3 0 0 alice", 2000);
	assert_int_equal(roster_reclaim_at(r), 0);
	assert_null(roster_reclaim(r, 99999));
	/* A nick the user picks is the one wanted from then on. */
	feed(r, "nick 1 lobby alice 0 0 alicia", 3000);
	feed(r, "hello 1 lobby alicia 77 0 s", 4000);
	assert_int_equal(roster_reclaim_at(r), 0);
	roster_free(r);
}

/* With no nick the server's guest nick is taken as it comes. */
static void
test_guest(void **state)
{
	struct roster	*r;
	struct hello	 h;

	(void)state;
	assert_non_null(r = roster_new(NULL));
	assert_string_equal(roster_nick(r), "");
	roster_hello(r, &h);
	assert_string_equal(h.nick, "");
	assert_int_equal(feed(r, "msg 1 lobby bob 77 1 guest1", 0), 0);
	feed(r, "hello 1 lobby guest1 77 0 s", 0);
	assert_string_equal(roster_nick(r), "guest1");
	assert_int_equal(roster_reclaim_at(r), 0);
	assert_int_equal(feed(r, "msg 1 lobby bob 77 1 hi\\sguest1", 0),
	    ROSTER_MENTION);
	roster_hello(r, &h);
	assert_string_equal(h.nick, "guest1");
	roster_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_resume_rooms),
		cmocka_unit_test(test_reclaim),
		cmocka_unit_test(test_guest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
