/*
 * test_client_format.c: scrollback lines as text: the time, the nick
 * decorated as text mode does it, the layout of the rows at a width,
 * pending lines, and the row count the scroll model is given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>
#include <time.h>
#include <cmocka.h>

#include "format.h"
#include "scrollback.h"
#include "wrap.h"

/* 1700000000123 ms is 2023-11-14 22:13:20 UTC. */
#define TS	INT64_C(1700000000123)

static struct fmt	*fmt;
static struct sb	*sb;

static int
setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC0", 1);
	tzset();
	fmt = fmt_new();
	sb = sb_new(16);
	return fmt == NULL || sb == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	fmt_free(fmt);
	sb_free(sb);
	return 0;
}

/* The newest line, after adding it. */
static const struct sb_line *
line(enum sb_kind kind, int64_t ts, const char *nick, const char *text)
{
	assert_int_equal(sb_add(sb, kind, 0, ts, nick, strlen(nick), text,
	    strlen(text)), 0);
	return sb_get(sb, sb_count(sb) - 1);
}

static void
test_kinds(void **state)
{
	static const struct {
		enum sb_kind	 kind;
		const char	*nick, *text, *want;
		size_t		 nick_at, nick_end;
	} cases[] = {
		{ SB_MSG, "bob", "hi", "22:13 <bob> hi", 7, 10 },
		{ SB_ACT, "bob", "waves", "22:13 * bob waves", 8, 11 },
		{ SB_PRIV, "eve", "psst", "22:13 *eve* psst", 7, 10 },
		{ SB_PRIVTO, "eve", "ok", "22:13 -> *eve* ok", 10, 13 },
		{ SB_MSG, "bob", "", "22:13 <bob> ", 7, 10 },
		/* Other kinds show no nick, even if one was stored. */
		{ SB_EVENT, "bob", "*** bob joined lobby",
		    "22:13 *** bob joined lobby", 6, 6 },
		{ SB_NOTICE, "", "*** welcome", "22:13 *** welcome", 6, 6 },
		{ SB_ERROR, "x", "*** error: no", "22:13 *** error: no", 6, 6 },
		{ SB_CLIENT, "", "*** saved", "22:13 *** saved", 6, 6 },
	};
	struct fmt_line	 fl;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(fmt_line(fmt, line(cases[i].kind, TS,
		    cases[i].nick, cases[i].text), 0, &fl), 0);
		assert_string_equal(fl.s, cases[i].want);
		assert_int_equal(fl.len, strlen(cases[i].want));
		assert_int_equal(fl.nick, cases[i].nick_at);
		assert_int_equal(fl.nickend, cases[i].nick_end);
	}
}

/* The time is the local time of the line, minute by minute. */
static void
test_time(void **state)
{
	struct fmt_line	fl;

	(void)state;
	fmt_line(fmt, line(SB_MSG, TS, "a", "x"), 0, &fl);
	assert_string_equal(fl.s, "22:13 <a> x");
	fmt_line(fmt, line(SB_MSG, TS + 999, "a", "x"), 0, &fl);
	assert_string_equal(fl.s, "22:13 <a> x");
	fmt_line(fmt, line(SB_MSG, TS + 40000, "a", "x"), 0, &fl);
	assert_string_equal(fl.s, "22:14 <a> x");
	fmt_line(fmt, line(SB_MSG, 0, "a", "x"), 0, &fl);
	assert_string_equal(fl.s, "00:00 <a> x");
}

/*
 * A message wraps under its text, a notice under its "*** "; a window
 * too narrow for that wraps the whole line with a smaller indent; a wide
 * nick counts its columns, not its bytes.
 */
static void
test_layout(void **state)
{
	static const struct {
		enum sb_kind	 kind;
		const char	*nick, *text;
		int		 cols;
		size_t		 body;
		int		 bodycol, extra;
	} cases[] = {
		{ SB_MSG, "bob", "hello", 80, 12, 12, 0 },
		{ SB_NOTICE, "", "*** long notice", 80, 6, 6, 4 },
		{ SB_CLIENT, "", "plain notice", 80, 6, 6, 0 },
		{ SB_MSG, "bob", "hello", 20, 0, 0, 6 },  /* 12 > 20 / 2 */
		{ SB_MSG, "\xe4\xb8\xad", "x", 80, 12, 11, 0 },
	};
	struct fmt_line	 fl;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(fmt_line(fmt, line(cases[i].kind, TS,
		    cases[i].nick, cases[i].text), cases[i].cols, &fl), 0);
		assert_int_equal(fl.body, cases[i].body);
		assert_int_equal(fl.bodycol, cases[i].bodycol);
		assert_int_equal(fl.extra, cases[i].extra);
	}
}

static void
test_wrap(void **state)
{
	const struct wrap_row	*rows;
	const struct sb_line	*l;
	struct fmt_line		 fl;
	int			 n;

	(void)state;
	/* 30 columns: "22:13 <bob> " is 12, leaving 18 a row. */
	l = line(SB_MSG, TS, "bob", "aaaa bbbb cccc dddd eeee ffff");
	fmt_line(fmt, l, 30, &fl);
	n = fmt_wrap(fmt, &fl, 30, &rows);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].start, 0);
	assert_int_equal(rows[0].end, 12 + 14);		/* to "dddd" */
	assert_int_equal(rows[1].start, 12 + 15);
	assert_int_equal(rows[1].end, fl.len);
	assert_int_equal(fmt_rows(fmt, l, 30), 2);
	assert_int_equal(fmt_rows(fmt, l, 80), 1);
	/* Many rows grow the formatter's row array. */
	{
		char	text[2001];

		memset(text, 'x', 2000);
		text[2000] = '\0';
		l = line(SB_MSG, TS, "bob", text);
		fmt_line(fmt, l, 10, &fl);
		n = fmt_wrap(fmt, &fl, 10, &rows);
		assert_int_equal(n, fmt_rows(fmt, l, 10));
		assert_true(n > 200);
		assert_int_equal(rows[n - 1].end, fl.len);
	}
}

static void
test_pending(void **state)
{
	const struct wrap_row	*rows;
	struct fmt_line		 fl;

	(void)state;
	assert_int_equal(fmt_pending(fmt, "not sent yet", 80, &fl), 0);
	assert_string_equal(fl.s, "(pending) not sent yet");
	assert_int_equal(fl.nick, fl.nickend);
	assert_int_equal(fl.body, 10);
	assert_int_equal(fmt_wrap(fmt, &fl, 80, &rows), 1);
	fmt_pending(fmt, "not sent yet", 20, &fl);
	assert_int_equal(fmt_wrap(fmt, &fl, 20, &rows), 2);
	assert_int_equal(rows[1].start, 19);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_pending),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "test_client_format: no C.UTF-8 locale\n");
		return 1;
	}
	return cmocka_run_group_tests_name("format", tests, setup, teardown);
}
