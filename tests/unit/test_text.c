/*
 * test_text.c: UTF-8 hygiene: every invalid class becomes U+FFFD (one per
 * maximal invalid subpart), controls go, valid text is untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text.h"

#define R	"\xef\xbf\xbd"	/* U+FFFD */

struct tcase {
	const char	*name;
	const char	*in;
	size_t		 inlen;
	const char	*out;
	size_t		 outlen;
};

#define T(name, in, out) { name, in, sizeof(in) - 1, out, sizeof(out) - 1 }

static const struct tcase cases[] = {
	/* Valid text passes unchanged. */
	T("ascii", "hello, world!", "hello, world!"),
	T("empty", "", ""),
	T("latin", "h\xc3\xa9llo w\xc3\xb6rld", "h\xc3\xa9llo w\xc3\xb6rld"),
	T("nbsp", "\xc2\xa0", "\xc2\xa0"),
	T("u+0800", "\xe0\xa0\x80", "\xe0\xa0\x80"),
	T("u+d7ff", "\xed\x9f\xbf", "\xed\x9f\xbf"),
	T("u+e000", "\xee\x80\x80", "\xee\x80\x80"),
	T("cjk", "\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac"),
	T("u+10000", "\xf0\x90\x80\x80", "\xf0\x90\x80\x80"),
	T("emoji", "\xf0\x9f\x8e\x89!", "\xf0\x9f\x8e\x89!"),
	T("u+10ffff", "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"),
	T("u+fffd", R, R),
	/* Lone and bad continuation bytes. */
	T("lone 80", "a\x80z", "a" R "z"),
	T("lone bf", "\xbf", R),
	T("two lone", "\x80\xbf", R R),
	T("bad cont", "\xc3\x28", R "("),
	T("bad cont 3", "\xe2\x28\xa1", R "(" R),
	T("bad cont 4", "\xf0\x9f\x28\x80", R "(" R),
	T("lead then lead", "\xc3\xc3\xa9", R "\xc3\xa9"),
	/* Truncated: one U+FFFD for the maximal subpart. */
	T("trunc 2 end", "x\xc3", "x" R),
	T("trunc 3 end", "\xe2\x82", R),
	T("trunc 4 end", "\xf0\x9f\x98", R),
	T("trunc 3 mid", "\xe2\x82x", R "x"),
	T("trunc 4 mid", "\xf0\x9f\x98 ok", R " ok"),
	/* Overlong forms. */
	T("overlong c0", "\xc0\xaf", R R),
	T("overlong c1", "\xc1\xbf", R R),
	T("overlong e0", "\xe0\x80\xaf", R R R),
	T("overlong e0 9f", "\xe0\x9f\xbf", R R R),
	T("overlong f0", "\xf0\x80\x80\xaf", R R R R),
	T("overlong f0 8f", "\xf0\x8f\xbf\xbf", R R R R),
	T("overlong nul", "\xc0\x80", R R),
	/* Surrogates. */
	T("surrogate d800", "\xed\xa0\x80", R R R),
	T("surrogate dfff", "\xed\xbf\xbf", R R R),
	T("surrogate pair", "\xed\xa0\xbd\xed\xb8\x80", R R R R R R),
	/* Above U+10FFFF. */
	T("u+110000", "\xf4\x90\x80\x80", R R R R),
	T("f5", "\xf5\x80\x80\x80", R R R R),
	T("f8", "\xf8\x88\x80\x80\x80", R R R R R),
	T("fe ff", "\xfe\xff", R R),
	/* Controls, DEL and C1 go; TAB becomes a space. */
	T("tab", "a\tb", "a b"),
	T("crlf", "a\r\nb", "ab"),
	T("bell", "ding\x07", "ding"),
	T("nul", "a\0b", "ab"),
	T("del", "a\x7f" "b", "ab"),
	T("c1 nel", "a\xc2\x85" "b", "ab"),
	/* Escape sequences go whole, C1 forms too. */
	T("c1 csi", "\xc2\x9b" "2J", ""),
	T("c1 osc", "\xc2\x9d" "0;t\xc2\x9cok", "ok"),
	T("osc title", "\x1b]0;title\x07", ""),
	T("osc then text", "a\x1b]0;title\x07" "b", "ab"),
	T("clear", "\x1b[2J", ""),
	T("sgr", "a\x1b[31mred\x1b[0m", "ared"),
	T("csi private", "\x1b[?1049h!", "!"),
	T("csi cut", "\x1b[31\xc3\xa9", "\xc3\xa9"),
	T("osc 8", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"),
	T("osc unended", "ok\x1b]0;rest", "ok"),
	T("dcs", "\x1bP+q544e\x1b\\", ""),
	T("charset", "\x1b(Bx", "x"),
	T("reset", "\x1b" "cx", "x"),
	T("lone esc", "x\x1b", "x"),
	T("mixed", "\x1b[2J\xc3\x28\t\xf0\x9f\x8e\x89\x7f",
	    R "( \xf0\x9f\x8e\x89"),
	/* Zero-width characters that could hide a word's spelling go. */
	T("zwsp", "al\xe2\x80\x8bice", "alice"),
	T("word joiner", "al\xe2\x81\xa0ice", "alice"),
	T("bom", "\xef\xbb\xbfhi", "hi"),
	T("zwj kept", "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9",
	    "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9"),
};

/*
 * The test's own idea of clean text: valid UTF-8 without C0, DEL, C1 or
 * the zero-width characters text_clean() removes.
 */
static int
is_clean(const char *s, size_t len)
{
	uint32_t	cp;
	size_t		i, n;

	for (i = 0; i < len; i += n) {
		if ((n = text_decode(s + i, len - i, &cp)) == 0)
			return 0;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x200b ||
		    cp == 0x2060 || cp == 0xfeff)
			return 0;
	}
	return 1;
}

static void
test_clean_table(void **state)
{
	const struct tcase	*c;
	char			 out[256];
	size_t			 i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		memset(out, 0x55, sizeof(out));
		n = text_clean(c->in, c->inlen, out);
		if (n != c->outlen || memcmp(out, c->out, n) != 0)
			fail_msg("case \"%s\": got %zu bytes \"%.*s\"",
			    c->name, n, (int)n, out);
		assert_true(n <= TEXT_CLEAN_MAX(c->inlen));
		assert_true(is_clean(out, n));
		assert_null(memchr(out, 0x1b, n));
		/* The input is clean exactly when cleaning leaves it be. */
		assert_int_equal(is_clean(c->in, c->inlen),
		    n == c->inlen && memcmp(out, c->in, n) == 0 &&
		    memchr(c->in, '\t', c->inlen) == NULL);
	}
}

/* Every C0 control but TAB, and DEL, is removed; TAB is a space. */
static void
test_each_c0(void **state)
{
	char	in[3], out[16];
	size_t	n;
	int	c;

	(void)state;
	for (c = 0; c < 0x20; c++) {
		in[0] = 'x';
		in[1] = (char)c;
		in[2] = 'y';
		n = text_clean(in, 3, out);
		if (c == '\t') {
			assert_int_equal(n, 3);
			assert_memory_equal(out, "x y", 3);
		} else if (c == 0x1b) {		/* ESC y: an escape */
			assert_int_equal(n, 1);
			assert_memory_equal(out, "x", 1);
		} else {
			assert_int_equal(n, 2);
			assert_memory_equal(out, "xy", 2);
		}
		assert_false(is_clean(in, 3));
	}
	n = text_clean("x\x7fy", 3, out);
	assert_int_equal(n, 2);
	assert_false(is_clean("\x7f", 1));
	for (c = 0x20; c < 0x7f; c++) {
		in[0] = (char)c;
		assert_int_equal(text_clean(in, 1, out), 1);
		assert_int_equal(out[0], c);
		assert_true(is_clean(in, 1));
	}
}

/* Every C1 control U+0080-U+009F is removed; U+00A0 on is kept. */
static void
test_each_c1(void **state)
{
	char	in[4], out[16];
	int	c;

	(void)state;
	for (c = 0x80; c <= 0xbf; c++) {
		in[0] = 'x';
		in[1] = (char)0xc2;
		in[2] = (char)c;
		in[3] = 'y';
		if (c == 0x90 || c == 0x98 || (c >= 0x9b && c <= 0x9f &&
		    c != 0x9c)) {
			/* CSI takes y as its final byte; a string, the rest. */
			assert_int_equal(text_clean(in, 4, out), 1);
			assert_memory_equal(out, "x", 1);
			assert_false(is_clean(in, 4));
		} else if (c <= 0x9f) {
			assert_int_equal(text_clean(in, 4, out), 2);
			assert_memory_equal(out, "xy", 2);
			assert_false(is_clean(in, 4));
		} else {
			assert_int_equal(text_clean(in, 4, out), 4);
			assert_memory_equal(out, in, 4);
			assert_true(is_clean(in, 4));
		}
	}
}

/* Random bytes, biased toward the interesting ones, with a fixed seed. */
static size_t
random_text(char *buf, size_t max)
{
	static const unsigned char	 pick[] = { 0x00, 0x07, 0x09, 0x0a,
	    0x1b, 0x7f, 0x80, 0x9b, 0xbf, 0xc0, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2,
	    0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 'a', ' ' };
	size_t				 len, i;

	len = (size_t)rand() % max;
	for (i = 0; i < len; i++) {
		if (rand() % 2)
			buf[i] = (char)pick[rand() % sizeof(pick)];
		else
			buf[i] = (char)rand();
	}
	return len;
}

static void
test_idempotent(void **state)
{
	char	in[64], once[64 * 3], twice[64 * 9];
	size_t	len, n1, n2;
	int	i;

	(void)state;
	srand(20240601);
	for (i = 0; i < 200000; i++) {
		len = random_text(in, sizeof(in));
		n1 = text_clean(in, len, once);
		assert_true(n1 <= TEXT_CLEAN_MAX(len));
		assert_true(is_clean(once, n1));
		n2 = text_clean(once, n1, twice);
		assert_int_equal(n2, n1);
		assert_memory_equal(twice, once, n1);
	}
}

/* The worst case is what TEXT_CLEAN_MAX allows. */
static void
test_worst_case(void **state)
{
	char	in[100], out[300];
	size_t	n;

	(void)state;
	memset(in, 0x80, sizeof(in));
	n = text_clean(in, sizeof(in), out);
	assert_int_equal(n, TEXT_CLEAN_MAX(sizeof(in)));
}

struct dcase {
	const char	*in;
	size_t		 len;
	size_t		 ret;
	uint32_t	 cp;
};

static const struct dcase dcases[] = {
	{ "a", 1, 1, 'a' },
	{ "\0", 1, 1, 0 },
	{ "\xc3\xa9", 2, 2, 0xe9 },
	{ "\xe2\x82\xac", 3, 3, 0x20ac },
	{ "\xf0\x9f\x8e\x89", 4, 4, 0x1f389 },
	{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
	{ "\xc2\x85", 2, 2, 0x85 },
	{ "\x80", 1, 0, 0xfffd },
	{ "\xe2\x82", 2, 0, 0xfffd },
	{ "\xe2\x82\xac", 2, 0, 0xfffd },	/* cut short by len */
	{ "\xc0\x80", 2, 0, 0xfffd },
	{ "\xed\xa0\x80", 3, 0, 0xfffd },
	{ "\xf4\x90\x80\x80", 4, 0, 0xfffd },
	{ "", 0, 0, 0xfffd },
};

static void
test_decode(void **state)
{
	uint32_t	cp;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		cp = 12345;
		assert_int_equal(text_decode(dcases[i].in, dcases[i].len, &cp),
		    dcases[i].ret);
		assert_int_equal(cp, dcases[i].cp);
	}
}

static void
test_prefix(void **state)
{
	static const char	s[] = "a\xc3\xa9\xf0\x9f\x8e\x89z";	/* 8 bytes */
	static const size_t	want[] = { 0, 1, 1, 3, 3, 3, 3, 7, 8, 8 };
	size_t			max;

	(void)state;
	for (max = 0; max < sizeof(want) / sizeof(want[0]); max++)
		assert_int_equal(text_prefix(s, 8, max), want[max]);
	assert_int_equal(text_prefix("abc", 3, 2), 2);
	assert_int_equal(text_prefix("abc", 3, 100), 3);
	/* Not UTF-8: cut where asked rather than lose everything. */
	assert_int_equal(text_prefix("\x80\x80\x80\x80\x80", 5, 4), 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_table),
		cmocka_unit_test(test_each_c0),
		cmocka_unit_test(test_each_c1),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_worst_case),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_prefix),
	};

	alarm(60);
	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
