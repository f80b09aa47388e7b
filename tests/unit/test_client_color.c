/*
 * test_client_color.c: the nick colour hash: FNV-1a, stable, blind to
 * case, in range, and spread over the colours.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "color.h"

/* Published FNV-1a (32-bit) vectors, seen through a huge modulus. */
static const struct {
	const char	*s;
	uint32_t	 hash;
} vectors[] = {
	{ "", 0x811c9dc5u },
	{ "a", 0xe40c292cu },
	{ "foobar", 0xbf9cf968u },
};

static void
test_fnv1a(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++)
		assert_int_equal(nick_color(vectors[i].s, strlen(vectors[i].s),
		    INT_MAX), vectors[i].hash % INT_MAX);
	/* Lowercased first: "FOOBAR" hashes as "foobar". */
	assert_int_equal(nick_color("FOOBAR", 6, INT_MAX),
	    0xbf9cf968u % INT_MAX);
}

static void
test_case(void **state)
{
	static const char *const same[][3] = {
		{ "alice", "Alice", "ALICE" },
		{ "bob_2", "BoB_2", "BOB_2" },
		{ "x-Ray", "X-RAY", "x-ray" },
	};
	size_t	 i;
	int	 nc;

	(void)state;
	for (i = 0; i < sizeof same / sizeof same[0]; i++)
		for (nc = 1; nc <= 256; nc++) {
			int	 c = nick_color(same[i][0], 5, nc);

			assert_int_equal(nick_color(same[i][1], 5, nc), c);
			assert_int_equal(nick_color(same[i][2], 5, nc), c);
			/* The same on every call. */
			assert_int_equal(nick_color(same[i][0], 5, nc), c);
		}
	/* Only len bytes count. */
	assert_int_equal(nick_color("alicex", 5, 1000),
	    nick_color("alice", 5, 1000));
}

static void
test_range_spread(void **state)
{
	static const int ncolors[] = { 2, 6, 7, 8, 12, 16 };
	char	 nick[32];
	int	 count[16], n, i, c, lo, hi;
	size_t	 k;

	(void)state;
	assert_int_equal(nick_color("alice", 5, 1), 0);
	assert_int_equal(nick_color("alice", 5, 0), 0);
	assert_int_equal(nick_color("alice", 5, -3), 0);
	for (k = 0; k < sizeof ncolors / sizeof ncolors[0]; k++) {
		memset(count, 0, sizeof count);
		for (n = 0; n < 2000; n++) {
			snprintf(nick, sizeof nick, n % 2 ? "guest%d" :
			    "user_%d", n);
			c = nick_color(nick, strlen(nick), ncolors[k]);
			assert_true(c >= 0 && c < ncolors[k]);
			count[c]++;
		}
		/* Each colour within half of its fair share either way. */
		lo = 2000 / ncolors[k] / 2;
		hi = 2000 / ncolors[k] * 3 / 2;
		for (i = 0; i < ncolors[k]; i++)
			if (count[i] < lo || count[i] > hi)
				fail_msg("%d colours: colour %d has %d of 2000",
				    ncolors[k], i, count[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnv1a),
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_range_spread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
