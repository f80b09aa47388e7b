/*
 * test_client_scrollback.c: the scrollback ring: wrap-around, the limit,
 * the count and numbers of lines ever added, clearing, what a line
 * keeps, and the memory a line costs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scrollback.h"

/* The heap is measured with glibc's mallinfo2(), unless ASan owns it. */
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
#define HAVE_MALLINFO2
#endif
#if defined(__SANITIZE_ADDRESS__)
#undef HAVE_MALLINFO2
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#undef HAVE_MALLINFO2
#endif
#endif
#ifdef HAVE_MALLINFO2
#include <malloc.h>
#endif

/* Adds line n: text "line N", nick "nN", ts n, kind n % 7, flags n % 8. */
static void
add(struct sb *sb, unsigned n)
{
	char	 text[32], nick[16];

	snprintf(text, sizeof text, "line %u", n);
	snprintf(nick, sizeof nick, "n%u", n);
	assert_int_equal(sb_add(sb, (enum sb_kind)(n % 7), (int)(n % 8),
	    (int64_t)n,
	    nick, strlen(nick), text, strlen(text)), 0);
}

/* Line i of sb is line n as add() made it. */
static void
assert_line(const struct sb *sb, size_t i, unsigned n)
{
	const struct sb_line	*l;
	char			 text[32], nick[16];
	size_t			 len;

	snprintf(text, sizeof text, "line %u", n);
	snprintf(nick, sizeof nick, "n%u", n);
	assert_non_null(l = sb_get(sb, i));
	assert_string_equal(sb_line_text(l, &len), text);
	assert_int_equal(len, strlen(text));
	assert_string_equal(sb_line_nick(l, &len), nick);
	assert_int_equal(len, strlen(nick));
	assert_int_equal(sb_line_ts(l), n);
	assert_int_equal(sb_line_kind(l), n % 7);
	assert_int_equal(sb_line_flags(l), n % 8);
}

/* sb holds exactly the lines first..last, oldest first. */
static void
assert_holds(const struct sb *sb, unsigned first, unsigned last)
{
	unsigned	 n;

	assert_int_equal(sb_count(sb), last - first + 1);
	for (n = first; n <= last; n++)
		assert_line(sb, n - first, n);
	assert_null(sb_get(sb, last - first + 1));
}

static void
test_wraparound(void **state)
{
	static const size_t limits[] = { 1, 2, 3, 7, 64 };
	struct sb	*sb;
	unsigned	 n;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		assert_non_null(sb = sb_new(limits[i]));
		assert_int_equal(sb_limit(sb), limits[i]);
		assert_int_equal(sb_count(sb), 0);
		assert_null(sb_get(sb, 0));
		for (n = 0; n < 300; n++) {
			add(sb, n);
			assert_int_equal(sb_total(sb), n + 1);
			assert_int_equal(sb_first(sb),
			    n + 1 - sb_count(sb));
			assert_holds(sb, n + 1 > limits[i] ?
			    n + 1 - (unsigned)limits[i] : 0, n);
		}
		sb_free(sb);
	}
}

static void
test_clear(void **state)
{
	struct sb	*sb;
	unsigned	 n;

	(void)state;
	assert_non_null(sb = sb_new(5));
	for (n = 0; n < 8; n++)
		add(sb, n);
	sb_clear(sb);
	assert_int_equal(sb_count(sb), 0);
	assert_null(sb_get(sb, 0));
	assert_int_equal(sb_total(sb), 8);	/* ever added */
	assert_int_equal(sb_first(sb), 8);	/* numbers go on */
	for (n = 8; n < 20; n++)
		add(sb, n);
	assert_holds(sb, 15, 19);
	assert_int_equal(sb_total(sb), 20);
	sb_free(sb);
	sb_free(NULL);
}

static void
test_fields(void **state)
{
	const struct sb_line	*l;
	struct sb		*sb;
	char			 nick[300];
	size_t			 len;

	(void)state;
	assert_non_null(sb = sb_new(0));	/* 0 counts as 1 */
	assert_int_equal(sb_limit(sb), 1);
	assert_int_equal(sb_add(sb, SB_CLIENT, SB_OWN | SB_MENTION | SB_REPLAY,
	    INT64_C(1700000000123), NULL, 0, "a\0b", 3), 0);
	assert_non_null(l = sb_get(sb, 0));
	assert_int_equal(sb_line_kind(l), SB_CLIENT);
	assert_int_equal(sb_line_flags(l), SB_OWN | SB_MENTION | SB_REPLAY);
	assert_true(sb_line_ts(l) == INT64_C(1700000000123));
	assert_string_equal(sb_line_nick(l, &len), "");
	assert_int_equal(len, 0);
	assert_memory_equal(sb_line_text(l, &len), "a\0b", 4);
	assert_int_equal(len, 3);
	assert_non_null(sb_line_text(l, NULL));

	/* A kind not in the enum is refused, and nothing is dropped. */
	errno = 0;
	assert_int_equal(sb_add(sb, (enum sb_kind)(SB_CLIENT + 1), 0, 0, "x",
	    1, "y", 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(sb_add(sb, (enum sb_kind)-1, 0, 0, "x", 1, "y", 1),
	    -1);
	assert_int_equal(sb_count(sb), 1);
	assert_int_equal(sb_total(sb), 1);
	assert_int_equal(sb_first(sb), 0);

	/* A nick longer than 255 bytes is cut before a whole character. */
	memset(nick, 'a', 254);
	memcpy(nick + 254, "\xc3\xa9", 2);
	assert_int_equal(sb_add(sb, 0, 0, 0, nick, 256, "t", 1), 0);
	sb_line_nick(sb_get(sb, 0), &len);
	assert_int_equal(len, 254);
	assert_string_equal(sb_line_text(sb_get(sb, 0), NULL), "t");
	sb_free(sb);
}

/* Issue 8: at most 160 bytes of memory per stored 64-byte line. */
static void
test_memory(void **state)
{
#ifdef HAVE_MALLINFO2
	struct mallinfo2	 before, after;
	struct sb		*sb;
	char			 text[64];
	unsigned		 n;
	double			 per;
	void *volatile		 probe;

	(void)state;
	/* Under valgrind the heap is not glibc's: mallinfo2() sees none. */
	before = mallinfo2();
	probe = malloc(4096);
	after = mallinfo2();
	free(probe);
	if (after.uordblks == before.uordblks && after.hblkhd == before.hblkhd)
		skip();
	memset(text, 'x', sizeof text);
	before = mallinfo2();
	assert_non_null(sb = sb_new(SB_DEFAULT_LINES));
	for (n = 0; n < SB_DEFAULT_LINES; n++)
		assert_int_equal(sb_add(sb, 1, 0, n, "someone1", 8, text,
		    sizeof text), 0);
	after = mallinfo2();
	per = (double)(after.uordblks + after.hblkhd - before.uordblks -
	    before.hblkhd) / SB_DEFAULT_LINES;
	print_message("scrollback: %.1f bytes per 64-byte line\n", per);
	assert_true(per > 64 && per <= 160);
	sb_free(sb);
#else
	(void)state;
	skip();
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
