/*
 * test_client_wrap.c: display widths and word wrapping of ASCII, CJK,
 * combining marks and emoji, at every width from 1 up.
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

#include "wrap.h"

#define E_ACUTE	"e\xcc\x81"		/* e + U+0301 COMBINING ACUTE */
#define ZHONG	"\xe4\xb8\xad"		/* U+4E2D, wide */
#define WEN	"\xe6\x96\x87"		/* U+6587, wide */
#define GRIN	"\xf0\x9f\x98\x80"	/* U+1F600, wide */

/* The rows joined by '|', for comparing with a table. */
static const char *
rows_str(const char *s, int width, int indent)
{
	static char	 out[1024];
	struct wrap_row	 rows[64];
	size_t		 o = 0;
	int		 n, i;

	n = wrap_rows(s, strlen(s), width, indent, rows, 64);
	assert_true(n >= 1 && n <= 64);
	for (i = 0; i < n; i++) {
		assert_true(rows[i].start <= rows[i].end);
		if (i > 0)
			out[o++] = '|';
		memcpy(out + o, s + rows[i].start, rows[i].end -
		    rows[i].start);
		o += rows[i].end - rows[i].start;
	}
	out[o] = '\0';
	return out;
}

static const struct {
	const char	*in;
	int		 width, indent;
	const char	*want;
} wrap_cases[] = {
	{ "", 10, 0, "" },
	{ "hello", 10, 0, "hello" },
	{ "hello world foo", 11, 0, "hello world|foo" },
	{ "hello world", 5, 0, "hello|world" },
	{ "abcd efgh", 4, 0, "abcd|efgh" },
	{ "abcd efgh", 5, 0, "abcd|efgh" },
	{ "aaa    bbb", 5, 0, "aaa|bbb" },
	{ "ab  ", 10, 0, "ab  " },
	{ "      ", 4, 0, "    " },
	{ "abcdefghij", 4, 0, "abcd|efgh|ij" },
	{ "ab cdefghij", 4, 0, "ab|cdef|ghij" },
	{ "  abcdef", 4, 0, "  ab|cdef" },
	{ "aaa bbb ccc ddd", 8, 2, "aaa bbb|ccc|ddd" },
	{ "aaaaaaaa bb cc dd", 8, 3, "aaaaaaaa|bb cc|dd" },
	{ "one two three four", 10, 4, "one two|three|four" },
	{ "abc", 1, 0, "a|b|c" },
	{ "abc", 0, 0, "a|b|c" },
	{ "a b", 1, 0, "a|b" },
	{ "abcdef", 3, 5, "abc|d|e|f" },
	{ "ab", 2, -3, "ab" },
	/* Wide characters never straddle the edge. */
	{ ZHONG WEN ZHONG WEN ZHONG WEN, 5, 0,
	    ZHONG WEN "|" ZHONG WEN "|" ZHONG WEN },
	{ ZHONG WEN ZHONG, 4, 0, ZHONG WEN "|" ZHONG },
	{ ZHONG WEN ZHONG, 1, 0, ZHONG "|" WEN "|" ZHONG },
	{ ZHONG WEN ZHONG, 3, 0, ZHONG "|" WEN "|" ZHONG },
	{ "ab" ZHONG WEN, 3, 0, "ab|" ZHONG "|" WEN },
	{ "x " ZHONG WEN, 4, 0, "x|" ZHONG WEN },
	{ ZHONG WEN ZHONG WEN, 6, 2, ZHONG WEN ZHONG "|" WEN },
	/* Combining marks stay with their base. */
	{ E_ACUTE E_ACUTE E_ACUTE E_ACUTE E_ACUTE E_ACUTE, 4, 0,
	    E_ACUTE E_ACUTE E_ACUTE E_ACUTE "|" E_ACUTE E_ACUTE },
	{ E_ACUTE E_ACUTE, 1, 0, E_ACUTE "|" E_ACUTE },
	{ "caf" E_ACUTE " ok", 4, 0, "caf" E_ACUTE "|ok" },
	{ ZHONG "\xcc\x81" WEN, 2, 0, ZHONG "\xcc\x81|" WEN },
	{ ZHONG "\xcc\x81" WEN, 1, 0, ZHONG "\xcc\x81|" WEN },
	/* Emoji are wide too. */
	{ GRIN GRIN GRIN, 5, 0, GRIN GRIN "|" GRIN },
	{ "hi " GRIN " there", 5, 0, "hi " GRIN "|there" },
	{ GRIN, 1, 0, GRIN },
};

static void
test_wrap_table(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof wrap_cases / sizeof wrap_cases[0]; i++) {
		const char	*got = rows_str(wrap_cases[i].in,
		    wrap_cases[i].width, wrap_cases[i].indent);

		if (strcmp(got, wrap_cases[i].want) != 0)
			fail_msg("case %zu: \"%s\" width %d indent %d: got "
			    "\"%s\", want \"%s\"", i, wrap_cases[i].in,
			    wrap_cases[i].width, wrap_cases[i].indent, got,
			    wrap_cases[i].want);
	}
}

/*
 * Rows cover the text in order, each fits its columns (unless it holds a
 * single character too wide for any row), and only spaces are left out
 * between rows.
 */
static void
check_rows(const char *s, size_t len, int width, int indent)
{
	struct wrap_row	 rows[600];
	size_t		 j;
	int		 n, r, avail, cols, w;

	n = wrap_rows(s, len, width, indent, rows, 600);
	assert_true(n >= 1 && n < 600);
	assert_int_equal(rows[0].start, 0);
	/* The end, or spaces at a break that would start an empty row. */
	for (j = rows[n - 1].end; j < len; j++)
		assert_int_equal(s[j], ' ');
	for (r = 0; r < n; r++) {
		avail = r == 0 ? width : width - indent;
		cols = wrap_width(s + rows[r].start, rows[r].end -
		    rows[r].start);
		/* Too wide: one character and its marks. */
		if (cols > avail) {
			wrap_cols(s + rows[r].start, len - rows[r].start, &w);
			assert_int_equal(rows[r].end - rows[r].start,
			    wrap_fit(s + rows[r].start, len - rows[r].start,
			    w, NULL));
		}
		if (r == 0)
			continue;
		assert_true(rows[r].end > rows[r].start);
		assert_true(rows[r].start >= rows[r - 1].end);
		for (j = rows[r - 1].end; j < rows[r].start; j++)
			assert_int_equal(s[j], ' ');
		assert_true(s[rows[r].start] != ' ');
	}
}

static void
test_wrap_invariants(void **state)
{
	static const char *texts[] = {
		"The quick brown fox jumps over the lazy dog, twice.",
		ZHONG WEN " mixed " GRIN " text " E_ACUTE E_ACUTE " and "
		    "averyveryverylongwordindeed" ZHONG ZHONG,
		"a  b   c    d     e",
	};
	static const char pieces[][5] = {
		"a", "b", " ", "  ", ZHONG, GRIN, "\xcc\x81", "\xff", "\xe4",
		"\x1b",
	};
	char		 buf[256];
	size_t		 t, len, k;
	int		 width, indent, iter;

	(void)state;
	for (t = 0; t < sizeof texts / sizeof texts[0]; t++)
		for (width = 1; width <= 40; width++)
			for (indent = 0; indent < width && indent < 6; indent++)
				check_rows(texts[t], strlen(texts[t]), width,
				    indent);
	/* Random text, a fixed seed. */
	srand(4242);
	for (iter = 0; iter < 3000; iter++) {
		for (len = 0; len + 4 < sizeof buf && rand() % 64 != 0;) {
			k = (size_t)rand() % (sizeof pieces / sizeof pieces[0]);
			memcpy(buf + len, pieces[k], strlen(pieces[k]));
			len += strlen(pieces[k]);
		}
		width = 1 + rand() % 30;
		check_rows(buf, len, width, rand() % width);
	}
}

static void
test_wrap_max(void **state)
{
	struct wrap_row	 rows[2];

	(void)state;
	rows[1].start = rows[1].end = 99;
	assert_int_equal(wrap_rows("a b c d", 7, 1, 0, rows, 1), 4);
	assert_int_equal(rows[0].start, 0);
	assert_int_equal(rows[0].end, 1);
	assert_int_equal(rows[1].start, 99);
	assert_int_equal(wrap_rows("abc", 3, 3, 0, NULL, 0), 1);
}

static const struct {
	const char	*in;
	int		 want;
} width_cases[] = {
	{ "", 0 },
	{ "abc", 3 },
	{ ZHONG WEN, 4 },
	{ E_ACUTE, 1 },
	{ "caf" E_ACUTE, 4 },
	{ GRIN, 2 },
	{ "a" GRIN "b", 4 },
	{ "\xff", 1 },
	{ "\xe4\xb8", 2 },
	{ "x\xcc\x81\xcc\x81", 1 },
};

static void
test_width(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof width_cases / sizeof width_cases[0]; i++)
		if (wrap_width(width_cases[i].in, strlen(width_cases[i].in)) !=
		    width_cases[i].want)
			fail_msg("case %zu: width %d, want %d", i,
			    wrap_width(width_cases[i].in,
			    strlen(width_cases[i].in)), width_cases[i].want);
}

static const struct {
	const char	*in;
	size_t		 n;
	uint32_t	 cp;
	int		 width;
} char_cases[] = {
	{ "a", 1, 'a', 1 },
	{ "\x1b", 1, 0x1b, -1 },
	{ "\x7f", 1, 0x7f, -1 },
	{ "\xc3\xa9", 2, 0xe9, 1 },
	{ "\xc2\x9b", 2, 0x9b, -1 },		/* C1 CSI */
	{ "\xcc\x81", 2, 0x301, 0 },
	{ ZHONG, 3, 0x4e2d, 2 },
	{ GRIN, 4, 0x1f600, 2 },
	{ "\xc0\x80", 1, 0xfffd, 1 },		/* overlong NUL */
	{ "\xe0\x80\xaf", 1, 0xfffd, 1 },	/* overlong '/' */
	{ "\xed\xa0\x80", 1, 0xfffd, 1 },	/* surrogate */
	{ "\xf4\x90\x80\x80", 1, 0xfffd, 1 },	/* above U+10FFFF */
	{ "\xe4\xb8", 1, 0xfffd, 1 },		/* truncated */
	{ "\x80", 1, 0xfffd, 1 },		/* lone continuation */
	{ "\xf8\x88\x80\x80\x80", 1, 0xfffd, 1 },
	{ "\xef\xbf\xbd", 3, 0xfffd, 1 },
};

static void
test_char(void **state)
{
	uint32_t	 cp;
	size_t		 i, n;
	int		 w;

	(void)state;
	for (i = 0; i < sizeof char_cases / sizeof char_cases[0]; i++) {
		n = wrap_char(char_cases[i].in, strlen(char_cases[i].in), &cp,
		    &w);
		if (n != char_cases[i].n || cp != char_cases[i].cp ||
		    w != char_cases[i].width)
			fail_msg("case %zu: n %zu cp %x width %d", i, n,
			    (unsigned)cp, w);
	}
}

static void
test_fit(void **state)
{
	int	 used;

	(void)state;
	assert_int_equal(wrap_fit(ZHONG WEN, 6, 3, &used), 3);
	assert_int_equal(used, 2);
	assert_int_equal(wrap_fit(ZHONG WEN, 6, 4, &used), 6);
	assert_int_equal(used, 4);
	assert_int_equal(wrap_fit(ZHONG, 3, 1, &used), 0);
	assert_int_equal(used, 0);
	assert_int_equal(wrap_fit(E_ACUTE "x", 4, 1, &used), 3);
	assert_int_equal(used, 1);
	assert_int_equal(wrap_fit("abcdef", 6, 4, NULL), 4);
	assert_int_equal(wrap_fit("abc", 3, 0, &used), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_table),
		cmocka_unit_test(test_wrap_invariants),
		cmocka_unit_test(test_wrap_max),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_char),
		cmocka_unit_test(test_fit),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "test_client_wrap: no C.UTF-8 locale\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
