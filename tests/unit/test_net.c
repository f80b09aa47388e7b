/*
 * test_net.c: listening and connecting on loopback, and the addresses
 * and errors the helpers report.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

static int
local_port(int fd)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int
family(int fd)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	return ss.ss_family;
}

/* Accepts on lfd within two seconds. */
static int
accept_one(int lfd)
{
	struct pollfd	pfd = { lfd, POLLIN, 0 };
	int		fd;

	assert_int_equal(poll(&pfd, 1, 2000), 1);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd != -1);
	return fd;
}

static int
has_ipv6(void)
{
	struct sockaddr_in6	sin6;
	int			fd, ok;

	if ((fd = socket(AF_INET6, SOCK_STREAM, 0)) == -1)
		return 0;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	ok = bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;
	close(fd);
	return ok;
}

/* The test's own blocking connect to host and port; -1 if none took. */
static int
dial(const char *host, const char *port)
{
	struct addrinfo	 hints, *res, *ai;
	int		 fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Connects to host on the port of lfd and checks both ends' names. */
static void
round_trip(int lfd, const char *host, const char *fmt)
{
	struct sockaddr_storage	ss;
	socklen_t		sslen;
	char	port[16], want[NET_ADDRLEN], got[NET_ADDRLEN];
	int	cfd, afd, p;

	p = local_port(lfd);
	snprintf(port, sizeof(port), "%d", p);
	if ((cfd = dial(host, port)) == -1)
		fail_msg("connect %s: %s", host, strerror(errno));
	afd = accept_one(lfd);
	snprintf(want, sizeof(want), fmt, p);
	sslen = sizeof(ss);
	assert_int_equal(getpeername(cfd, (struct sockaddr *)&ss, &sslen), 0);
	net_addr_str((struct sockaddr *)&ss, sslen, got, sizeof(got));
	assert_string_equal(got, want);
	net_local_str(afd, got, sizeof(got));
	assert_string_equal(got, want);
	assert_int_equal(write(afd, "x", 1), 1);
	close(afd);
	close(cfd);
}

static void
test_listen_any(void **state)
{
	int		fds[4], n, i, v6 = has_ipv6(), on;
	socklen_t	len = sizeof(on);
	char		err[NET_ERRLEN];

	(void)state;
	n = net_listen(NULL, "0", fds, 4, err);
	if (n == -1)
		fail_msg("%s", err);
	assert_int_equal(n, v6 ? 2 : 1);
	for (i = 0; i < n; i++) {
		assert_true(fcntl(fds[i], F_GETFL) & O_NONBLOCK);
		assert_int_equal(local_port(fds[i]), local_port(fds[0]));
		assert_true(local_port(fds[i]) != 0);
	}
	if (v6) {
		assert_int_equal(family(fds[0]), AF_INET6);
		assert_int_equal(family(fds[1]), AF_INET);
		assert_int_equal(getsockopt(fds[0], IPPROTO_IPV6, IPV6_V6ONLY,
		    &on, &len), 0);
		assert_int_equal(on, 1);
		round_trip(fds[0], "::1", "[::1]:%d");
		round_trip(fds[1], "127.0.0.1", "127.0.0.1:%d");
	} else
		round_trip(fds[0], "127.0.0.1", "127.0.0.1:%d");
	for (i = 0; i < n; i++)
		close(fds[i]);
}

static void
test_listen_busy(void **state)
{
	int	fds[4], fds2[4], n;
	char	err[NET_ERRLEN], port[16], want[NET_ERRLEN];

	(void)state;
	n = net_listen("127.0.0.1", "0", fds, 4, err);
	assert_int_equal(n, 1);
	snprintf(port, sizeof(port), "%d", local_port(fds[0]));
	assert_int_equal(net_listen("127.0.0.1", port, fds2, 4, err), -1);
	snprintf(want, sizeof(want),
	    "cannot listen on 127.0.0.1:%s: %s", port, strerror(EADDRINUSE));
	assert_string_equal(err, want);
	round_trip(fds[0], "localhost", "127.0.0.1:%d");
	close(fds[0]);
	if (has_ipv6()) {
		n = net_listen("::1", "0", fds, 4, err);
		assert_int_equal(n, 1);
		snprintf(port, sizeof(port), "%d", local_port(fds[0]));
		assert_int_equal(net_listen("::1", port, fds2, 4, err), -1);
		snprintf(want, sizeof(want), "cannot listen on [::1]:%s: %s",
		    port, strerror(EADDRINUSE));
		assert_string_equal(err, want);
		close(fds[0]);
	}
	/* max bounds what is opened. */
	n = net_listen(NULL, "0", fds, 1, err);
	assert_int_equal(n, 1);
	close(fds[0]);
}

static void
test_listen_errors(void **state)
{
	int	fds[4];
	char	err[NET_ERRLEN];

	(void)state;
	/* A service name that does not exist, resolved without DNS. */
	assert_int_equal(net_listen("127.0.0.1", "no-such-service", fds, 4,
	    err), -1);
	assert_true(strncmp(err, "cannot listen on ", 17) == 0);
	assert_int_equal(net_listen("no.such.host.invalid", "0", fds, 4,
	    err), -1);
	/* It says so once. */
	assert_non_null(strstr(err, "cannot listen on"));
	assert_null(strstr(strstr(err, "cannot listen on") + 1,
	    "cannot listen on"));
}

static void
test_options(void **state)
{
	int		 fds[4], cfd, on;
	socklen_t	 len = sizeof(on);
	char		 err[NET_ERRLEN], port[16];

	(void)state;
	assert_int_equal(net_listen("127.0.0.1", "0", fds, 4, err), 1);
	snprintf(port, sizeof(port), "%d", local_port(fds[0]));
	cfd = dial("127.0.0.1", port);
	assert_true(cfd != -1);
	assert_int_equal(net_nodelay(cfd), 0);
	assert_int_equal(getsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &on, &len),
	    0);
	assert_true(on != 0);
	assert_int_equal(net_keepalive(cfd), 0);
	len = sizeof(on);
	assert_int_equal(getsockopt(cfd, SOL_SOCKET, SO_KEEPALIVE, &on, &len),
	    0);
	assert_true(on != 0);
	assert_int_equal(fcntl(cfd, F_SETFL, 0), 0);
	assert_int_equal(net_nonblock(cfd), 0);
	assert_true(fcntl(cfd, F_GETFL) & O_NONBLOCK);
	assert_int_equal(net_nonblock(-1), -1);
	close(cfd);
	close(fds[0]);
}

static void
test_addr_str(void **state)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
	struct sockaddr_un	sun;
	char			buf[NET_ADDRLEN];

	(void)state;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(8008);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	net_addr_str((struct sockaddr *)&sin, sizeof(sin), buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1:8008");
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(65535);
	assert_int_equal(inet_pton(AF_INET6,
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", &sin6.sin6_addr), 1);
	net_addr_str((struct sockaddr *)&sin6, sizeof(sin6), buf, sizeof(buf));
	assert_string_equal(buf,
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65535");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	net_addr_str((struct sockaddr *)&sun, sizeof(sun), buf, sizeof(buf));
	assert_string_equal(buf, "?");
	net_local_str(-1, buf, sizeof(buf));
	assert_string_equal(buf, "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_any),
		cmocka_unit_test(test_listen_busy),
		cmocka_unit_test(test_listen_errors),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_addr_str),
	};

	alarm(60);
	return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
