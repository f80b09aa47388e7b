/*
 * test_server_loop.c: the select() loop: descriptor limits, masks and
 * callbacks, and timers in deadline order.
 */
#include <sys/select.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"

static int	 calls[8], ncalls;

static void
on_fd(int fd, int ready, void *arg)
{
	char	 b[16];
	ssize_t	 n;

	*(int *)arg |= ready;
	n = read(fd, b, sizeof b);
	(void)n;
}

static void
on_timer(void *arg)
{
	calls[ncalls++] = *(int *)arg;
}

static void
test_limits(void **state)
{
	struct loop	*l = loop_new();
	int		 seen = 0, p[2];

	(void)state;
	assert_int_equal(loop_add(l, FD_SETSIZE, LOOP_READ, on_fd, &seen), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(loop_add(l, -1, LOOP_READ, on_fd, &seen), -1);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_add(l, p[0], LOOP_READ, on_fd, &seen), 0);
	assert_int_equal(loop_add(l, p[0], LOOP_READ, on_fd, &seen), -1);
	assert_int_equal(errno, EEXIST);
	loop_free(l);
	close(p[0]);
	close(p[1]);
}

static void
test_masks(void **state)
{
	struct loop	*l = loop_new();
	struct loop_timer t;
	int		 seen = 0, p[2], one = 1;

	(void)state;
	memset(&t, 0, sizeof t);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_add(l, p[0], 0, on_fd, &seen), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	/* Not watched for reading: only the timer ends the turn. */
	loop_timer_set(l, &t, 10, on_timer, &one);
	ncalls = 0;
	assert_int_equal(loop_once(l), 0);
	assert_int_equal(seen, 0);
	assert_int_equal(ncalls, 1);
	loop_set(l, p[0], LOOP_READ);
	assert_int_equal(loop_once(l), 0);
	assert_int_equal(seen, LOOP_READ);
	/* Once deleted, a readable descriptor calls nothing. */
	seen = 0;
	assert_int_equal(write(p[1], "y", 1), 1);
	loop_del(l, p[0]);
	loop_timer_set(l, &t, 10, on_timer, &one);
	assert_int_equal(loop_once(l), 0);
	assert_int_equal(seen, 0);
	loop_free(l);
	close(p[0]);
	close(p[1]);
}

static void
test_timers(void **state)
{
	struct loop	*l = loop_new();
	struct loop_timer t[4];
	int		 v[4] = { 0, 1, 2, 3 };

	(void)state;
	memset(t, 0, sizeof t);
	ncalls = 0;
	loop_timer_set(l, &t[0], 30, on_timer, &v[0]);
	loop_timer_set(l, &t[1], 10, on_timer, &v[1]);
	loop_timer_set(l, &t[2], 20, on_timer, &v[2]);
	loop_timer_set(l, &t[3], 5, on_timer, &v[3]);
	loop_timer_cancel(l, &t[2]);
	loop_timer_set(l, &t[3], 15, on_timer, &v[3]);	/* re-armed */
	while (ncalls < 3)
		assert_int_equal(loop_once(l), 0);
	assert_int_equal(calls[0], 1);
	assert_int_equal(calls[1], 3);
	assert_int_equal(calls[2], 0);
	loop_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_masks),
		cmocka_unit_test(test_timers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
