/*
 * test_client_scroll.c: the scroll model without curses: positions after
 * PgUp, PgDn, Home and End, clamping at both ends, the unread count,
 * lines leaving the ring while scrolled back, and the rows cache: each
 * line laid out once per width, forgotten on a new width, on a clear and
 * when its slot goes to a newer line; a move costs what the window shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scroll.h"
#include "scrollback.h"

/*
 * A line of text "N" takes N rows at width 80 or more and 2N below; the
 * calls are counted.
 */
static long	calls;

static int
rows_of(void *arg, const struct sb_line *l, int width)
{
	int	n = atoi(sb_line_text(l, NULL));

	(void)arg;
	calls++;
	return width >= 80 ? n : 2 * n;
}

/* Adds count lines of rows rows each. */
static void
add(struct sb *sb, int rows, int count)
{
	char	text[16];
	int	i;

	snprintf(text, sizeof(text), "%d", rows);
	for (i = 0; i < count; i++)
		assert_int_equal(sb_add(sb, SB_MSG, 0, 0, "n", 1, text,
		    strlen(text)), 0);
}

static void
assert_window(struct scroll *s, uint64_t end, int skip)
{
	uint64_t	e;
	int		k;

	scroll_window(s, &e, &k);
	assert_int_equal(e, end);
	assert_int_equal(k, skip);
}

/* One-row lines in a 10-row window: a page is 9 rows. */
static void
test_positions(void **state)
{
	struct sb	*sb;
	struct scroll	*s;

	(void)state;
	assert_non_null(sb = sb_new(1000));
	add(sb, 1, 100);
	assert_non_null(s = scroll_new(sb, rows_of, NULL));
	scroll_size(s, 80, 10);
	assert_false(scroll_scrolled(s));
	assert_window(s, 100, 0);
	scroll_move(s, SCROLL_PGUP);
	assert_true(scroll_scrolled(s));
	assert_window(s, 91, 0);	/* line 90 on the bottom row */
	scroll_move(s, SCROLL_PGUP);
	assert_window(s, 82, 0);
	scroll_move(s, SCROLL_PGDN);
	assert_window(s, 91, 0);
	scroll_move(s, SCROLL_PGDN);
	assert_false(scroll_scrolled(s));
	assert_window(s, 100, 0);
	/* PgDn at the bottom stays there. */
	scroll_move(s, SCROLL_PGDN);
	assert_false(scroll_scrolled(s));
	/* Home: line 0 on the top row; End: the bottom. */
	scroll_move(s, SCROLL_TOP);
	assert_true(scroll_scrolled(s));
	assert_window(s, 10, 0);
	scroll_move(s, SCROLL_BOTTOM);
	assert_false(scroll_scrolled(s));
	/* PgUp stops when line 0 reaches the top row. */
	scroll_move(s, SCROLL_TOP);
	scroll_move(s, SCROLL_PGUP);
	assert_window(s, 10, 0);
	scroll_free(s);
	sb_free(sb);
}

/* Lines of several rows: the position can fall inside a line. */
static void
test_tall_lines(void **state)
{
	struct sb	*sb;
	struct scroll	*s;
	int		 i;

	(void)state;
	assert_non_null(sb = sb_new(100));
	add(sb, 4, 10);			/* 40 rows */
	assert_non_null(s = scroll_new(sb, rows_of, NULL));
	scroll_size(s, 80, 10);
	scroll_move(s, SCROLL_PGUP);	/* 9 rows up: 2 lines and 1 row */
	assert_window(s, 8, 1);
	scroll_move(s, SCROLL_TOP);	/* lines 0-1 and 2 rows of line 2 */
	assert_window(s, 3, 2);
	scroll_move(s, SCROLL_PGDN);
	assert_window(s, 5, 1);
	/* A narrower window doubles the rows; the position stays a line. */
	scroll_size(s, 40, 10);
	assert_window(s, 5, 1);
	scroll_move(s, SCROLL_TOP);	/* lines of 8 rows now */
	assert_window(s, 2, 6);
	/* Lines get shorter: the window stays full, line 0 on top. */
	scroll_size(s, 80, 10);
	assert_window(s, 3, 2);
	/* The skip is kept inside its line when the line gets shorter. */
	scroll_size(s, 40, 10);
	scroll_move(s, SCROLL_BOTTOM);
	for (i = 0; i < 6; i++)
		scroll_move(s, SCROLL_PGUP);	/* 9 rows up, 8 a line */
	assert_window(s, 4, 6);
	scroll_size(s, 80, 10);
	assert_window(s, 4, 3);
	scroll_free(s);
	sb_free(sb);
}

/* Everything fits: there is nothing to scroll to. */
static void
test_short(void **state)
{
	struct sb	*sb;
	struct scroll	*s;

	(void)state;
	assert_non_null(sb = sb_new(100));
	assert_non_null(s = scroll_new(sb, rows_of, NULL));
	scroll_size(s, 80, 10);
	scroll_move(s, SCROLL_PGUP);	/* empty */
	assert_false(scroll_scrolled(s));
	add(sb, 1, 5);
	scroll_move(s, SCROLL_PGUP);
	assert_false(scroll_scrolled(s));
	scroll_move(s, SCROLL_TOP);
	assert_false(scroll_scrolled(s));
	/* A window of no rows does not move. */
	add(sb, 1, 50);
	scroll_size(s, 80, 0);
	scroll_move(s, SCROLL_PGUP);
	assert_false(scroll_scrolled(s));
	scroll_free(s);
	sb_free(sb);
}

/* New lines while scrolled back are unread until the window shows them. */
static void
test_unread(void **state)
{
	struct sb	*sb;
	struct scroll	*s;

	(void)state;
	assert_non_null(sb = sb_new(1000));
	add(sb, 1, 50);
	assert_non_null(s = scroll_new(sb, rows_of, NULL));
	scroll_size(s, 80, 10);
	assert_window(s, 50, 0);
	scroll_move(s, SCROLL_PGUP);
	assert_int_equal(scroll_unread(s), 0);
	add(sb, 1, 15);
	assert_int_equal(scroll_unread(s), 15);
	assert_window(s, 41, 0);	/* the window stays put */
	scroll_move(s, SCROLL_PGDN);	/* lines up to 49 shown */
	assert_window(s, 50, 0);
	assert_int_equal(scroll_unread(s), 15);
	scroll_move(s, SCROLL_PGDN);	/* up to 58 */
	assert_window(s, 59, 0);
	assert_int_equal(scroll_unread(s), 6);
	scroll_move(s, SCROLL_BOTTOM);
	assert_int_equal(scroll_unread(s), 0);
	/* A clear goes back to the bottom with nothing unread. */
	scroll_move(s, SCROLL_PGUP);
	sb_clear(sb);
	scroll_cleared(s);
	assert_false(scroll_scrolled(s));
	assert_int_equal(scroll_unread(s), 0);
	assert_window(s, 65, 0);
	scroll_free(s);
	sb_free(sb);
}

/*
 * Lines leave a full ring while the window is back on them: it moves to
 * the oldest line held, on the top row, and the count goes on.
 */
static void
test_dropped_while_scrolled(void **state)
{
	struct sb	*sb;
	struct scroll	*s;

	(void)state;
	assert_non_null(sb = sb_new(30));
	add(sb, 1, 30);
	assert_non_null(s = scroll_new(sb, rows_of, NULL));
	scroll_size(s, 80, 10);
	scroll_move(s, SCROLL_TOP);
	assert_window(s, 10, 0);
	add(sb, 1, 5);			/* lines 0-4 leave */
	assert_true(scroll_scrolled(s));
	assert_window(s, 15, 0);	/* lines 5-14 */
	assert_int_equal(scroll_unread(s), 20);
	add(sb, 1, 100);		/* everything it showed is gone */
	assert_window(s, 115, 0);
	assert_int_equal(sb_first(sb), 105);
	/* Cleared while scrolled: nothing left to be on. */
	scroll_move(s, SCROLL_PGUP);
	sb_clear(sb);
	assert_false(scroll_scrolled(s));
	scroll_free(s);
	sb_free(sb);
}

/*
 * Each line is laid out once per width, whatever the window does; a move
 * costs the rows it crosses, not the lines held.
 */
static void
test_cache(void **state)
{
	struct sb	*sb;
	struct scroll	*s;
	long		 before;
	int		 i;

	(void)state;
	assert_non_null(sb = sb_new(100000));
	add(sb, 1, 100000);
	assert_non_null(s = scroll_new(sb, rows_of, NULL));
	scroll_size(s, 80, 40);
	calls = 0;
	scroll_move(s, SCROLL_PGUP);
	assert_true(calls > 0 && calls <= 3 * 40);
	before = calls;
	for (i = 0; i < 20; i++) {
		scroll_move(s, SCROLL_PGDN);
		scroll_move(s, SCROLL_PGUP);
		scroll_scrolled(s);
	}
	assert_int_equal(calls, before);	/* all hits */
	calls = 0;
	scroll_move(s, SCROLL_TOP);
	assert_true(calls <= 40);
	scroll_move(s, SCROLL_BOTTOM);
	scroll_move(s, SCROLL_TOP);
	assert_true(calls <= 40);		/* the top is known now */
	/* A new width lays the lines out again, once. */
	calls = 0;
	scroll_size(s, 40, 40);
	scroll_move(s, SCROLL_PGDN);
	assert_true(calls > 0 && calls <= 3 * 40);
	before = calls;
	scroll_move(s, SCROLL_PGUP);
	assert_int_equal(calls, before);
	/* The same width again is no change. */
	scroll_size(s, 40, 20);
	scroll_move(s, SCROLL_PGDN);
	assert_int_equal(calls, before);
	scroll_free(s);
	sb_free(sb);
}

/*
 * A slot that a newer line takes over, after the ring turned or after a
 * clear, is not read for it: the new line's rows are its own.
 */
static void
test_cache_slots(void **state)
{
	struct sb	*sb;
	struct scroll	*s;

	(void)state;
	assert_non_null(sb = sb_new(8));
	add(sb, 1, 8);
	assert_non_null(s = scroll_new(sb, rows_of, NULL));
	scroll_size(s, 80, 4);
	scroll_move(s, SCROLL_TOP);	/* learns lines 0-3: 1 row each */
	assert_window(s, 4, 0);
	scroll_move(s, SCROLL_BOTTOM);
	add(sb, 3, 8);			/* lines 8-15 in the same slots */
	scroll_move(s, SCROLL_TOP);	/* line 8 has 3 rows, 9 one of 3 */
	assert_window(s, 10, 2);
	scroll_move(s, SCROLL_BOTTOM);
	sb_clear(sb);
	scroll_cleared(s);
	add(sb, 2, 8);			/* lines 16-23, the same slots again */
	scroll_move(s, SCROLL_TOP);
	assert_window(s, 18, 0);
	/* More lines than the ring holds since the last look. */
	scroll_move(s, SCROLL_BOTTOM);
	add(sb, 1, 20);
	scroll_move(s, SCROLL_TOP);
	assert_window(s, 40, 0);
	scroll_free(s);
	sb_free(sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_tall_lines),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_unread),
		cmocka_unit_test(test_dropped_while_scrolled),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_cache_slots),
	};

	return cmocka_run_group_tests_name("scroll", tests, NULL, NULL);
}
