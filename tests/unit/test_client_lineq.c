/*
 * test_client_lineq.c: the pending-line queue without a socket: lines
 * held in order, moved to the link with their stream ends, forgotten once
 * written, and held again in front after a lost link, for every split of
 * a stream between written and not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lineq.h"

/* The held lines joined by spaces. */
static void
assert_held(const struct lineq *q, const char *want)
{
	char		 buf[4096] = "";
	const char	*l;
	size_t		 i, len;

	for (i = 0; (l = lineq_held(q, i, &len)) != NULL; i++) {
		assert_int_equal(strlen(l), len);
		if (i > 0)
			strcat(buf, " ");
		strcat(buf, l);
	}
	assert_int_equal(i, lineq_nheld(q));
	assert_string_equal(buf, want);
}

static void
test_hold(void **state)
{
	struct lineq	*q;
	size_t		 len = 99;

	(void)state;
	assert_non_null(q = lineq_new());
	assert_int_equal(lineq_nheld(q), 0);
	assert_null(lineq_held(q, 0, &len));
	assert_int_equal(lineq_hold(q, "one", 3), 0);
	assert_int_equal(lineq_hold(q, "two and more", 3), 0);
	assert_int_equal(lineq_hold(q, "", 0), 0);
	assert_held(q, "one two ");
	assert_string_equal(lineq_held(q, 1, NULL), "two");
	assert_null(lineq_held(q, 3, NULL));
	/* Moving with nothing held does nothing. */
	lineq_free(q);
	assert_non_null(q = lineq_new());
	lineq_move(q, 10);
	lineq_lost(q, 0);
	assert_int_equal(lineq_nheld(q), 0);
	lineq_free(q);
	lineq_free(NULL);
}

/*
 * Lines "a" to "e" are queued on the link with ends 2, 4, 6, 8, 10 (each
 * one byte and a LF) and "f" stays held; the link then writes some bytes
 * and is lost.
 */
static const struct {
	uint64_t	 written;	/* before the loss */
	const char	*held;		/* after it */
} losses[] = {
	{ 0,	"a b c d e f" },
	{ 1,	"a b c d e f" },	/* "a" half written: sent again */
	{ 2,	"b c d e f" },
	{ 5,	"c d e f" },
	{ 9,	"e f" },
	{ 10,	"f" },
	{ 99,	"f" },
};

static void
test_lost(void **state)
{
	struct lineq	*q;
	size_t		 i, j;
	char		 s[2] = "a";

	(void)state;
	for (i = 0; i < sizeof(losses) / sizeof(losses[0]); i++) {
		assert_non_null(q = lineq_new());
		for (j = 0; j < 6; j++) {
			s[0] = 'a' + j;
			assert_int_equal(lineq_hold(q, s, 1), 0);
		}
		for (j = 0; j < 5; j++)
			lineq_move(q, 2 * (j + 1));
		assert_held(q, "f");
		lineq_lost(q, losses[i].written);
		assert_held(q, losses[i].held);
		lineq_free(q);
	}
}

/* Written lines go as the link writes; the rest stay until then. */
static void
test_written(void **state)
{
	struct lineq	*q;

	(void)state;
	assert_non_null(q = lineq_new());
	assert_int_equal(lineq_hold(q, "one", 3), 0);
	assert_int_equal(lineq_hold(q, "two", 3), 0);
	lineq_move(q, 4);
	lineq_move(q, 8);
	assert_int_equal(lineq_nheld(q), 0);
	lineq_written(q, 4);
	assert_int_equal(lineq_hold(q, "three", 5), 0);
	lineq_lost(q, 4);
	assert_held(q, "two three");
	/* A new link: its stream starts again at 0. */
	lineq_move(q, 4);
	lineq_written(q, 3);
	lineq_lost(q, 3);
	assert_held(q, "two three");
	lineq_free(q);
}

/* Many lines through a queue that slides and grows keep their order. */
static void
test_order(void **state)
{
	struct lineq	*q;
	char		 buf[16];
	const char	*l;
	uint64_t	 end = 0;
	size_t		 i, next = 0, n = 0;

	(void)state;
	assert_non_null(q = lineq_new());
	for (i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "%zu", i);
		assert_int_equal(lineq_hold(q, buf, strlen(buf)), 0);
		n++;
		if (i % 3 == 0) {
			snprintf(buf, sizeof(buf), "%zu", next);
			l = lineq_held(q, 0, NULL);
			assert_string_equal(l, buf);
			lineq_move(q, ++end);
			lineq_written(q, end);
			next++;
			n--;
		}
		assert_int_equal(lineq_nheld(q), n);
	}
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%zu", next + i);
		assert_string_equal(lineq_held(q, i, NULL), buf);
	}
	lineq_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_written),
		cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
