/*
 * test_client_resolve.c: name lookups in a thread: the result of a
 * numeric lookup, an unknown name, a lookup that waits at the gate while
 * the caller's descriptor stays quiet, and requests forgotten while
 * their lookups run, which their threads then free.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <netdb.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lookup_gate.h"
#include "resolve.h"

/* Waits up to ms for the lookup's descriptor; true if it is readable. */
static int
ready(struct resolve *r, int ms)
{
	struct pollfd	pfd = { resolve_fd(r), POLLIN, 0 };

	return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLIN);
}

static int
teardown(void **state)
{
	(void)state;
	gate_open();
	assert_true(gate_threads_done());
	gate_reset();
	return 0;
}

static void
test_numeric(void **state)
{
	struct resolve		*r;
	struct addrinfo		*res = NULL;
	struct sockaddr_in	*sin;
	const char		*why = NULL;

	(void)state;
	assert_non_null(r = resolve_start("127.0.0.1", "8008"));
	assert_true(ready(r, 2000));
	assert_int_equal(resolve_result(r, &res, &why), 0);
	assert_non_null(res);
	assert_int_equal(res->ai_family, AF_INET);
	assert_int_equal(res->ai_socktype, SOCK_STREAM);
	sin = (struct sockaddr_in *)res->ai_addr;
	assert_int_equal(ntohs(sin->sin_port), 8008);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);
	freeaddrinfo(res);
	resolve_free(r);
}

static void
test_unknown(void **state)
{
	struct resolve	*r;
	struct addrinfo	*res = NULL;
	const char	*why = NULL;

	(void)state;
	assert_non_null(r = resolve_start("name.invalid", "8008"));
	assert_true(ready(r, 2000));
	assert_int_equal(resolve_result(r, &res, &why), -1);
	assert_null(res);
	assert_string_equal(why, gai_strerror(EAI_NONAME));
	resolve_free(r);
}

/* A slow lookup leaves the caller free: nothing is ready until it ends. */
static void
test_waits(void **state)
{
	struct resolve	*r;
	struct addrinfo	*res = NULL;
	const char	*why = NULL;

	(void)state;
	gate_close();
	assert_non_null(r = resolve_start("127.0.0.1", "8008"));
	assert_false(ready(r, 100));
	assert_int_equal(resolve_result(r, &res, &why), 1);
	assert_null(res);
	gate_open();
	assert_true(ready(r, 2000));
	assert_int_equal(resolve_result(r, &res, &why), 0);
	freeaddrinfo(res);
	resolve_free(r);
}

/*
 * Requests forgotten while their lookups wait, some after looking at
 * the result once: each thread frees its own, and the ones kept still
 * get theirs.  The sanitizers and valgrind see any memory touched after
 * it is freed, or left behind.
 */
static void
test_forgotten(void **state)
{
	struct resolve	*r[8];
	struct addrinfo	*res;
	const char	*why;
	size_t		 i;

	(void)state;
	gate_close();
	for (i = 0; i < 8; i++)
		assert_non_null(r[i] = resolve_start(i % 2 ? "name.invalid" :
		    "127.0.0.1", "8008"));
	for (i = 0; i < 8; i += 2) {
		assert_int_equal(resolve_result(r[i], &res, &why), 1);
		resolve_free(r[i]);
	}
	gate_open();
	for (i = 1; i < 8; i += 2) {
		assert_true(ready(r[i], 2000));
		assert_int_equal(resolve_result(r[i], &res, &why), -1);
		resolve_free(r[i]);
	}
	assert_true(gate_threads_done());
}

/* A result never taken is freed with the request. */
static void
test_result_not_taken(void **state)
{
	struct resolve	*r;

	(void)state;
	assert_non_null(r = resolve_start("127.0.0.1", "8008"));
	assert_true(ready(r, 2000));
	resolve_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_numeric, teardown),
		cmocka_unit_test_teardown(test_unknown, teardown),
		cmocka_unit_test_teardown(test_waits, teardown),
		cmocka_unit_test_teardown(test_forgotten, teardown),
		cmocka_unit_test_teardown(test_result_not_taken, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
