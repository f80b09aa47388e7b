/*
 * net.c: socket helpers for listening, connecting and naming addresses.
 * _DEFAULT_SOURCE brings TCP_KEEPIDLE and friends on glibc.
 */
#define _DEFAULT_SOURCE

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

/* The kernel caps the backlog at its own maximum (net.core.somaxconn). */
#define NET_BACKLOG	65535
#define KEEP_IDLE	60	/* seconds of silence before probing */
#define KEEP_INTVL	15	/* seconds between probes */
#define KEEP_CNT	4	/* unanswered probes before the link is dead */

static int	listen_one(const struct addrinfo *, int, char *);
static int	set_port(struct sockaddr *, int);
static int	get_port(int);
static void	close_all(int *, int);

/*
 * With host NULL, IPv6 "::" is bound IPV6_V6ONLY beside IPv4 0.0.0.0;
 * where the system has no IPv6, IPv4 alone will do.  With port "0" the
 * first socket picks the port and the others share it.
 */
int
net_listen(const char *host, const char *port, int *fds, int max,
    char *err)
{
	struct addrinfo	 hints, *res, *ai;
	int		 families[] = { AF_INET6, AF_INET }, i, n = 0, fd;
	int		 chosen = 0, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, NET_ERRLEN, "cannot listen on %s port %s: %s",
		    host != NULL ? host : "*", port, gai_strerror(e));
		return -1;
	}
	/* IPv6 first, so that a port 0 choice is made there. */
	for (i = 0; i < 2; i++) {
		for (ai = res; ai != NULL && n < max; ai = ai->ai_next) {
			if (ai->ai_family != families[i])
				continue;
			fd = listen_one(ai, chosen, err);
			if (fd == -2)
				continue;	/* no such family here */
			if (fd == -1) {
				close_all(fds, n);
				freeaddrinfo(res);
				return -1;
			}
			if (chosen == 0)
				chosen = get_port(fd);
			fds[n++] = fd;
		}
	}
	freeaddrinfo(res);
	if (n == 0) {
		snprintf(err, NET_ERRLEN, "cannot listen on %s port %s: %s",
		    host != NULL ? host : "*", port,
		    "no usable address");
		return -1;
	}
	return n;
}

/*
 * Opens one listening socket, on port instead of the address's own when
 * port is not 0.  Returns it, -2 when the system lacks the address family
 * (nothing to report), or -1 with err filled.
 */
static int
listen_one(const struct addrinfo *ai, int port, char *err)
{
	struct sockaddr_storage	ss;
	char			name[NET_ADDRLEN];
	int			fd, on = 1, saved;

	memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
	if (port != 0)
		set_port((struct sockaddr *)&ss, port);
	net_addr_str((struct sockaddr *)&ss, ai->ai_addrlen, name,
	    sizeof(name));
	fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd == -1) {
		if (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT)
			return -2;
		goto fail;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	if (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	if (bind(fd, (struct sockaddr *)&ss, ai->ai_addrlen) == -1) {
		/* IPv6 configured off: "::" cannot be bound. */
		if (errno == EADDRNOTAVAIL && ai->ai_family == AF_INET6 &&
		    ai->ai_flags & AI_PASSIVE) {
			close(fd);
			return -2;
		}
		goto fail;
	}
	if (listen(fd, NET_BACKLOG) == -1 || net_nonblock(fd) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	snprintf(err, NET_ERRLEN, "cannot listen on %s: %s", name,
	    strerror(saved));
	if (fd != -1)
		close(fd);
	errno = saved;
	return -1;
}

int
net_nonblock(int fd)
{
	int	flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return -1;
	if (flags & O_NONBLOCK)
		return 0;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int
net_nodelay(int fd)
{
	int	on = 1;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

/* Probes after a minute of silence, so a dead peer goes in about two. */
int
net_keepalive(int fd)
{
	int	on = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) == -1)
		return -1;
#ifdef TCP_KEEPIDLE
	on = KEEP_IDLE;
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &on, sizeof(on)) == -1)
		return -1;
#endif
#ifdef TCP_KEEPINTVL
	on = KEEP_INTVL;
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &on, sizeof(on)) == -1)
		return -1;
#endif
#ifdef TCP_KEEPCNT
	on = KEEP_CNT;
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &on, sizeof(on)) == -1)
		return -1;
#endif
	return 0;
}

void
net_addr_str(const struct sockaddr *sa, socklen_t len, char *buf, size_t cap)
{
	char	host[INET6_ADDRSTRLEN], serv[8];

	if ((sa->sa_family != AF_INET && sa->sa_family != AF_INET6) ||
	    getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(buf, cap, "?");
		return;
	}
	if (sa->sa_family == AF_INET6)
		snprintf(buf, cap, "[%s]:%s", host, serv);
	else
		snprintf(buf, cap, "%s:%s", host, serv);
}

void
net_local_str(int fd, char *buf, size_t cap)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		snprintf(buf, cap, "?");
		return;
	}
	net_addr_str((struct sockaddr *)&ss, len, buf, cap);
}

static int
set_port(struct sockaddr *sa, int port)
{
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = htons(port);
	else if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
	else
		return -1;
	return 0;
}

/* The port a socket is bound to, 0 if unknown. */
static int
get_port(int fd)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

static void
close_all(int *fds, int n)
{
	int	saved = errno;

	while (n-- > 0)
		close(fds[n]);
	errno = saved;
}
