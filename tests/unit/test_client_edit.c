/*
 * test_client_edit.c: every operation of the input line on multibyte
 * text (combining marks, CJK, emoji), the history and the horizontal
 * scrolling.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "edit.h"
#include "wrap.h"

#define E_ACUTE	"e\xcc\x81"		/* e + U+0301, 3 bytes, 1 column */
#define ZHONG	"\xe4\xb8\xad"		/* U+4E2D, 3 bytes, 2 columns */
#define WEN	"\xe6\x96\x87"
#define GRIN	"\xf0\x9f\x98\x80"	/* U+1F600, 4 bytes, 2 columns */
#define FFFD	"\xef\xbf\xbd"

/* "a" E_ACUTE ZHONG GRIN "b": characters start at 0, 1, 4, 7, 11. */
#define MIXED	"a" E_ACUTE ZHONG GRIN "b"

static struct edit *
with_text(const char *s, size_t cur)
{
	struct edit	*e;

	assert_non_null(e = edit_new(10));
	assert_int_equal(edit_insert(e, s, strlen(s)), 0);
	edit_home(e);
	while (edit_cursor(e) < cur) {
		size_t	 before = edit_cursor(e);

		edit_right(e);
		assert_true(edit_cursor(e) > before);
	}
	assert_int_equal(edit_cursor(e), cur);
	return e;
}

static void
assert_line(struct edit *e, const char *want, size_t cur)
{
	size_t		 len;
	const char	*text = edit_text(e, &len);

	assert_string_equal(text, want);
	assert_int_equal(len, strlen(want));
	assert_int_equal(edit_cursor(e), cur);
}

enum op {
	LEFT, RIGHT, HOME, END, BS, DEL, KSTART, KEND, KWORD
};

static void
apply(struct edit *e, enum op op)
{
	switch (op) {
	case LEFT:	edit_left(e);		break;
	case RIGHT:	edit_right(e);		break;
	case HOME:	edit_home(e);		break;
	case END:	edit_end(e);		break;
	case BS:	edit_backspace(e);	break;
	case DEL:	edit_delete(e);		break;
	case KSTART:	edit_kill_start(e);	break;
	case KEND:	edit_kill_end(e);	break;
	case KWORD:	edit_kill_word(e);	break;
	}
}

static const struct {
	const char	*text;
	size_t		 cur;
	enum op		 op;
	const char	*want;
	size_t		 wantcur;
} op_cases[] = {
	/* Left and Right step over whole characters. */
	{ MIXED, 12, LEFT, MIXED, 11 },
	{ MIXED, 11, LEFT, MIXED, 7 },
	{ MIXED, 7, LEFT, MIXED, 4 },
	{ MIXED, 4, LEFT, MIXED, 1 },
	{ MIXED, 1, LEFT, MIXED, 0 },
	{ MIXED, 0, LEFT, MIXED, 0 },
	{ MIXED, 0, RIGHT, MIXED, 1 },
	{ MIXED, 1, RIGHT, MIXED, 4 },
	{ MIXED, 4, RIGHT, MIXED, 7 },
	{ MIXED, 7, RIGHT, MIXED, 11 },
	{ MIXED, 12, RIGHT, MIXED, 12 },
	{ "e\xcc\x81\xcc\x82x", 0, RIGHT, "e\xcc\x81\xcc\x82x", 5 },
	{ "e\xcc\x81\xcc\x82x", 5, LEFT, "e\xcc\x81\xcc\x82x", 0 },
	{ "", 0, LEFT, "", 0 },
	{ "", 0, RIGHT, "", 0 },
	{ MIXED, 7, HOME, MIXED, 0 },
	{ MIXED, 7, END, MIXED, 12 },
	/* Backspace and Delete remove whole characters. */
	{ MIXED, 12, BS, "a" E_ACUTE ZHONG GRIN, 11 },
	{ MIXED, 11, BS, "a" E_ACUTE ZHONG "b", 7 },
	{ MIXED, 7, BS, "a" E_ACUTE GRIN "b", 4 },
	{ MIXED, 4, BS, "a" ZHONG GRIN "b", 1 },
	{ MIXED, 0, BS, MIXED, 0 },
	{ MIXED, 0, DEL, E_ACUTE ZHONG GRIN "b", 0 },
	{ MIXED, 1, DEL, "a" ZHONG GRIN "b", 1 },
	{ MIXED, 4, DEL, "a" E_ACUTE GRIN "b", 4 },
	{ MIXED, 7, DEL, "a" E_ACUTE ZHONG "b", 7 },
	{ MIXED, 12, DEL, MIXED, 12 },
	/* Ctrl-U and Ctrl-K. */
	{ MIXED, 7, KSTART, GRIN "b", 0 },
	{ MIXED, 0, KSTART, MIXED, 0 },
	{ MIXED, 12, KSTART, "", 0 },
	{ MIXED, 7, KEND, "a" E_ACUTE ZHONG, 7 },
	{ MIXED, 0, KEND, "", 0 },
	{ MIXED, 12, KEND, MIXED, 12 },
	/* Ctrl-W: spaces before the cursor, then the word. */
	{ "hello w" E_ACUTE "rld", 13, KWORD, "hello ", 6 },
	{ "hello w" E_ACUTE "rld  ", 15, KWORD, "hello ", 6 },
	{ "hello ", 6, KWORD, "", 0 },
	{ "one " ZHONG WEN " three", 10, KWORD, "one  three", 4 },
	{ "one " ZHONG WEN " three", 11, KWORD, "one three", 4 },
	{ "   ", 3, KWORD, "", 0 },
	{ "abc", 0, KWORD, "abc", 0 },
	{ "a " GRIN GRIN, 10, KWORD, "a ", 2 },
};

static void
test_ops(void **state)
{
	struct edit	*e;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof op_cases / sizeof op_cases[0]; i++) {
		e = with_text(op_cases[i].text, op_cases[i].cur);
		apply(e, op_cases[i].op);
		if (strcmp(edit_text(e, NULL), op_cases[i].want) != 0 ||
		    edit_cursor(e) != op_cases[i].wantcur)
			fail_msg("case %zu: got \"%s\" at %zu, want \"%s\" at "
			    "%zu", i, edit_text(e, NULL), edit_cursor(e),
			    op_cases[i].want, op_cases[i].wantcur);
		edit_free(e);
	}
}

static const struct {
	const char	*in;
	const char	*want;
} insert_cases[] = {
	{ "abc", "abc" },
	{ ZHONG GRIN, ZHONG GRIN },
	{ "a\xff" "b", "a" FFFD "b" },
	{ "\xe4\xb8", FFFD },		/* one per maximal invalid part */
	{ "\xc0\x80", FFFD FFFD },
	{ "\xed\xa0\x80", FFFD FFFD FFFD },
	{ "a\tb", "a b" },
	{ "a\x1b[31mb", "ab" },		/* escape sequences go whole */
	{ "a\r\nb\x7f", "ab" },
	{ "a\xc2\x9b" "1mb", "ab" },
	{ "\xc2\xa0", "\xc2\xa0" },
	{ "", "" },
};

static void
test_insert(void **state)
{
	struct edit	*e;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof insert_cases / sizeof insert_cases[0]; i++) {
		assert_non_null(e = edit_new(0));
		assert_int_equal(edit_insert(e, insert_cases[i].in,
		    strlen(insert_cases[i].in)), 0);
		assert_line(e, insert_cases[i].want,
		    strlen(insert_cases[i].want));
		edit_free(e);
	}
	/* In the middle, and the cursor stays after the inserted text. */
	e = with_text(MIXED, 4);
	assert_int_equal(edit_insert(e, WEN "x", 4), 0);
	assert_line(e, "a" E_ACUTE WEN "x" ZHONG GRIN "b", 8);
	/* A combining mark joins the character before it. */
	edit_insert(e, "\xcc\x81", 2);
	edit_left(e);
	assert_int_equal(edit_cursor(e), 4 + 3);
	edit_free(e);
	/* Text typed before marks with no base becomes their base. */
	e = with_text("\xcc\x81" "b", 0);
	assert_int_equal(edit_insert(e, "a", 1), 0);
	assert_line(e, "a\xcc\x81" "b", 3);
	edit_free(e);
	/* A NUL byte does not end the line. */
	assert_non_null(e = edit_new(0));
	edit_insert(e, "a\0b", 3);
	assert_line(e, "ab", 2);
	edit_free(e);
}

static void
test_limit(void **state)
{
	static char	 big[EDIT_MAX + 100];
	struct edit	*e;
	size_t		 len;

	(void)state;
	memset(big, 'a', sizeof big);
	assert_non_null(e = edit_new(0));
	assert_int_equal(edit_insert(e, big, sizeof big), -1);
	edit_text(e, &len);
	assert_int_equal(len, EDIT_MAX);
	assert_int_equal(edit_cursor(e), EDIT_MAX);
	assert_int_equal(edit_insert(e, "b", 1), -1);
	edit_backspace(e);
	edit_backspace(e);
	edit_backspace(e);
	edit_text(e, &len);
	assert_int_equal(len, EDIT_MAX - 3);
	/* Three bytes free: "x" fits, the 3-byte character after it not. */
	assert_int_equal(edit_insert(e, "x" ZHONG ZHONG, 7), -1);
	edit_text(e, &len);
	assert_int_equal(len, EDIT_MAX - 2);
	assert_int_equal(edit_cursor(e), EDIT_MAX - 2);
	assert_int_equal(edit_insert(e, ZHONG, 3), -1);
	assert_int_equal(edit_replace(e, edit_cursor(e), ZHONG, 3), -1);
	edit_text(e, &len);
	assert_int_equal(len, EDIT_MAX - 2);
	edit_backspace(e);
	assert_int_equal(edit_insert(e, ZHONG, 3), 0);
	edit_text(e, &len);
	assert_int_equal(len, EDIT_MAX);
	edit_free(e);

	/* A paste of many multibyte characters ends on a whole one. */
	assert_non_null(e = edit_new(0));
	for (len = 0; len + 3 <= sizeof big; len += 3)
		memcpy(big + len, ZHONG, 3);
	assert_int_equal(edit_insert(e, big, len), -1);
	edit_text(e, &len);
	assert_int_equal(len, EDIT_MAX / 3 * 3);
	edit_free(e);
}

static void
test_history(void **state)
{
	static const char *sent[] = { "one", "two", ZHONG " three" };
	struct edit	*e;
	char		 buf[64];
	size_t		 i;

	(void)state;
	assert_non_null(e = edit_new(2));
	for (i = 0; i < 3; i++) {
		edit_insert(e, sent[i], strlen(sent[i]));
		assert_int_equal(edit_take(e, buf, sizeof buf),
		    strlen(sent[i]));
		assert_string_equal(buf, sent[i]);
		assert_line(e, "", 0);
	}
	/* Empty lines and repeats of the last line are not kept. */
	assert_int_equal(edit_take(e, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	edit_insert(e, sent[2], strlen(sent[2]));
	edit_take(e, buf, sizeof buf);

	edit_insert(e, "dra" ZHONG "ft", 8);
	edit_left(e);
	edit_history_prev(e);
	assert_line(e, sent[2], strlen(sent[2]));
	edit_history_prev(e);
	assert_line(e, "two", 3);
	edit_history_prev(e);		/* "one" fell out: histmax 2 */
	assert_line(e, "two", 3);
	edit_history_next(e);
	assert_line(e, sent[2], strlen(sent[2]));
	edit_history_next(e);		/* back to the line being typed */
	assert_line(e, "dra" ZHONG "ft", 8);
	edit_history_next(e);
	assert_line(e, "dra" ZHONG "ft", 8);

	/* A recalled line is sent like a typed one. */
	edit_history_prev(e);
	edit_history_prev(e);
	edit_insert(e, "!", 1);
	assert_int_equal(edit_take(e, buf, sizeof buf), 4);
	assert_string_equal(buf, "two!");
	edit_history_prev(e);
	assert_line(e, "two!", 4);
	edit_history_prev(e);
	assert_line(e, sent[2], strlen(sent[2]));
	edit_free(e);

	/* No history at all. */
	assert_non_null(e = edit_new(0));
	edit_insert(e, "x", 1);
	edit_take(e, buf, sizeof buf);
	edit_history_prev(e);
	assert_line(e, "", 0);
	edit_free(e);
}

static void
test_take(void **state)
{
	struct edit	*e;
	char		 buf[8];

	(void)state;
	e = with_text("a" ZHONG "bcdef", 0);
	assert_int_equal(edit_take(e, buf, 3), 1);	/* not half of ZHONG */
	assert_string_equal(buf, "a");
	edit_history_prev(e);
	assert_line(e, "a" ZHONG "bcdef", 9);		/* all of it kept */
	assert_int_equal(edit_take(e, buf, 5), 4);
	assert_string_equal(buf, "a" ZHONG);
	assert_int_equal(edit_take(e, buf, sizeof buf), 0);
	edit_insert(e, "abc", 3);
	assert_int_equal(edit_take(e, buf, 4), 3);
	assert_string_equal(buf, "abc");
	edit_free(e);
}

static void
test_replace_mark(void **state)
{
	struct edit		*e;
	struct edit_mark	 m = { 2, 1, 7, 0 }, got;

	(void)state;
	e = with_text("hi al there", 5);
	assert_int_equal(edit_get_mark(e, &got), -1);
	edit_set_mark(e, &m);
	assert_int_equal(edit_replace(e, 3, "alice ", 6), 0);
	assert_line(e, "hi alice  there", 9);
	assert_int_equal(edit_get_mark(e, &got), 0);
	assert_int_equal(got.from, 2);
	assert_int_equal(got.plen, 1);
	assert_int_equal(got.idx, 7);
	assert_int_equal(edit_replace(e, 10, "x", 1), -1);
	assert_line(e, "hi alice  there", 9);
	/* Any edit or move forgets the mark. */
	edit_left(e);
	assert_int_equal(edit_get_mark(e, &got), -1);
	edit_set_mark(e, &m);
	edit_insert(e, "x", 1);
	assert_int_equal(edit_get_mark(e, &got), -1);
	edit_set_mark(e, &m);
	edit_backspace(e);
	assert_int_equal(edit_get_mark(e, &got), -1);
	edit_free(e);
}

static void
test_view(void **state)
{
	struct edit	*e;
	size_t		 start;
	int		 col, i;

	(void)state;
	assert_non_null(e = edit_new(0));
	edit_insert(e, "0123456789abcdefghijklmnopqrst", 30);
	edit_view(e, 10, &start, &col);
	assert_int_equal(start, 21);
	assert_int_equal(col, 9);
	edit_home(e);
	edit_view(e, 10, &start, &col);
	assert_int_equal(start, 0);
	assert_int_equal(col, 0);
	/* Moving right inside the field does not scroll. */
	for (i = 1; i <= 9; i++) {
		edit_right(e);
		edit_view(e, 10, &start, &col);
		assert_int_equal(start, 0);
		assert_int_equal(col, i);
	}
	edit_right(e);
	edit_view(e, 10, &start, &col);
	assert_int_equal(start, 1);
	assert_int_equal(col, 9);
	/* Moving left inside the field does not scroll either. */
	edit_left(e);
	edit_left(e);
	edit_view(e, 10, &start, &col);
	assert_int_equal(start, 1);
	assert_int_equal(col, 7);
	/* A line that fits again is shown from its start. */
	edit_end(e);
	edit_view(e, 10, &start, &col);
	assert_int_equal(start, 21);
	edit_kill_start(e);
	edit_insert(e, "abc", 3);
	edit_view(e, 10, &start, &col);
	assert_int_equal(start, 0);
	assert_int_equal(col, 3);
	/* Width below 1 is taken as 1. */
	edit_view(e, 0, &start, &col);
	assert_int_equal(start, 3);
	assert_int_equal(col, 0);
	edit_free(e);
}

static void
test_view_wide(void **state)
{
	struct edit	*e;
	size_t		 start;
	int		 col, i;

	(void)state;
	assert_non_null(e = edit_new(0));
	for (i = 0; i < 10; i++)
		edit_insert(e, ZHONG, 3);
	/* 20 columns in 7: the cursor cell and 3 wide characters. */
	edit_view(e, 7, &start, &col);
	assert_int_equal(start, 21);
	assert_int_equal(col, 6);
	for (i = 0; i < 5; i++)
		edit_left(e);
	edit_view(e, 7, &start, &col);
	assert_int_equal(start, 15);
	assert_int_equal(col, 0);
	/* A wide character under the cursor needs both its cells. */
	edit_right(e);
	edit_right(e);
	edit_view(e, 7, &start, &col);
	assert_int_equal(start, 15);
	assert_int_equal(col, 4);
	edit_right(e);
	edit_view(e, 7, &start, &col);
	assert_int_equal(start, 18);
	assert_int_equal(col, 4);
	edit_free(e);

	/* Combining marks take no column. */
	assert_non_null(e = edit_new(0));
	for (i = 0; i < 12; i++)
		edit_insert(e, E_ACUTE, 3);
	edit_view(e, 5, &start, &col);
	assert_int_equal(start, 8 * 3);
	assert_int_equal(col, 4);
	edit_free(e);
}

/* The line is valid UTF-8 without controls; the cursor is on a whole
 * character; the view puts the cursor inside the field. */
static void
check_invariants(struct edit *e, int width)
{
	const char	*text;
	uint32_t	 cp;
	size_t		 len, i, n, start;
	int		 w, col;

	text = edit_text(e, &len);
	assert_true(len <= EDIT_MAX);
	assert_int_equal(text[len], '\0');
	for (i = 0; i < len; i += n) {
		n = wrap_char(text + i, len - i, &cp, &w);
		assert_false(n == 1 && cp == 0xfffd && text[i] != '\xef');
		assert_true(cp >= 0x20 && !(cp >= 0x7f && cp < 0xa0));
		if (i == edit_cursor(e) && i > 0)
			assert_true(w != 0);
		assert_true(i + n <= len);
	}
	assert_true(edit_cursor(e) <= len);
	edit_view(e, width, &start, &col);
	assert_true(start <= edit_cursor(e));
	assert_true(col >= 0 && (col < width || start == edit_cursor(e)));
	assert_int_equal(col, wrap_width(text + start, edit_cursor(e) -
	    start));
}

static void
test_random(void **state)
{
	static const char *const bits[] = {
		"a", " ", "xyz ", E_ACUTE, "\xcc\x81", ZHONG, GRIN, "\xff",
		"\xe4\xb8", "\t", "\x1b[1m", FFFD,
	};
	struct edit	*e;
	char		 buf[EDIT_MAX + 1];
	int		 iter, op;

	(void)state;
	srand(99);
	assert_non_null(e = edit_new(5));
	for (iter = 0; iter < 200000; iter++) {
		op = rand() % 16;
		if (op < 9)
			apply(e, (enum op)op);
		else if (op < 14) {
			const char *b = bits[rand() % (int)(sizeof bits /
			    sizeof bits[0])];

			edit_insert(e, b, strlen(b));
		} else if (op == 14)
			rand() % 2 ? edit_history_prev(e) :
			    edit_history_next(e);
		else if (rand() % 8 == 0)
			edit_take(e, buf, sizeof buf);
		check_invariants(e, 1 + rand() % 12);
	}
	edit_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_insert),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_replace_mark),
		cmocka_unit_test(test_view),
		cmocka_unit_test(test_view_wide),
		cmocka_unit_test(test_random),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "test_client_edit: no C.UTF-8 locale\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
