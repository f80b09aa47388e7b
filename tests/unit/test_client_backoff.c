/*
 * test_client_backoff.c: the reconnect schedule: 1, 2, 4, 8, 16, 30, 30 s
 * within 20 % jitter, never above 30 s, back to 1 s after a reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "backoff.h"

static const unsigned schedule[] = {
	1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000
};
#define NSCHED	(sizeof schedule / sizeof schedule[0])

/* Jitter values that reach both ends of the range and the middle. */
static const uint32_t rnds[] = {
	0, 1, 200, 400, 401, 12345, 0x7fffffffu, 0xffffffffu
};

static void
test_schedule(void **state)
{
	struct backoff	 b = { 0 };
	unsigned	 ms, lo, hi;
	size_t		 i, r;

	(void)state;
	for (r = 0; r < sizeof rnds / sizeof rnds[0]; r++) {
		backoff_reset(&b);
		for (i = 0; i < NSCHED; i++) {
			ms = backoff_next(&b, rnds[r]);
			lo = schedule[i] - schedule[i] / 5;
			hi = schedule[i] + schedule[i] / 5;
			if (hi > BACKOFF_MAX_MS)
				hi = BACKOFF_MAX_MS;
			if (ms < lo || ms > hi)
				fail_msg("attempt %zu rnd %u: %u ms, want %u to "
				    "%u", i, (unsigned)rnds[r], ms, lo, hi);
		}
	}
}

/* The jitter spreads: both ends of the 20 % band are reached. */
static void
test_jitter(void **state)
{
	struct backoff	 b;
	unsigned	 ms, min = ~0u, max = 0;
	uint32_t	 rnd;

	(void)state;
	for (rnd = 0; rnd < 2000; rnd++) {
		backoff_reset(&b);
		backoff_next(&b, 0);
		ms = backoff_next(&b, rnd);	/* the 2 s step */
		if (ms < min)
			min = ms;
		if (ms > max)
			max = ms;
	}
	assert_int_equal(min, 1600);
	assert_int_equal(max, 2400);
}

static void
test_long_run_and_reset(void **state)
{
	struct backoff	 b;
	unsigned	 i, ms;

	(void)state;
	backoff_reset(&b);
	srand(7);
	for (i = 0; i < 1000; i++) {
		ms = backoff_next(&b, (uint32_t)rand());
		assert_true(ms >= BACKOFF_MIN_MS * 4 / 5);
		assert_true(ms <= BACKOFF_MAX_MS);
		if (i >= 5)
			assert_true(ms >= BACKOFF_MAX_MS * 4 / 5);
	}
	backoff_reset(&b);
	ms = backoff_next(&b, 0xffffffffu);
	assert_true(ms >= 800 && ms <= 1200);
	ms = backoff_next(&b, 0);
	assert_true(ms >= 1600 && ms <= 2400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_long_run_and_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
