/*
 * net.h: socket helpers; each returns -1 and fills the caller's error
 * buffer, and leaves policy to the caller.
 */
#ifndef NET_H
#define NET_H

#include <stddef.h>
#include <sys/socket.h>

#define NET_ERRLEN	256
#define NET_ADDRLEN	64	/* "[ffff:...:ffff]:65535" fits */

/*
 * Opens non-blocking listening sockets on host (NULL: every local
 * address, IPv6 and IPv4) and port ("0": a free port, the same for all).
 * Stores up to max descriptors in fds; returns how many, or -1.
 */
int	net_listen(const char *host, const char *port, int *fds, int max,
	    char *err);

int	net_nonblock(int fd);
int	net_nodelay(int fd);
int	net_keepalive(int fd);

/* "127.0.0.1:8008" or "[::1]:8008" for an address, or for a socket's
 * own address. */
void	net_addr_str(const struct sockaddr *, socklen_t, char *buf,
	    size_t cap);
void	net_local_str(int fd, char *buf, size_t cap);

#endif /* NET_H */
