/*
 * resolve.h: name lookups that never block the caller: getaddrinfo()
 * runs in a thread of its own, and a descriptor becomes readable when it
 * is done.
 */
#ifndef RESOLVE_H
#define RESOLVE_H

struct addrinfo;
struct resolve;

/*
 * Starts looking up the TCP addresses of host and port; NULL with errno
 * set if out of memory or no thread can be made.
 */
struct resolve	*resolve_start(const char *host, const char *port);

/* Readable (POLLIN) once the lookup is done. */
int		 resolve_fd(const struct resolve *);

/*
 * 1 while the lookup runs; then 0 with the addresses in *res, for the
 * caller to freeaddrinfo(), or -1 with the reason in *why.
 */
int		 resolve_result(struct resolve *, struct addrinfo **res,
		    const char **why);

/* Forgets the lookup, done or not: a thread still at it cleans up. */
void		 resolve_free(struct resolve *);

#endif /* RESOLVE_H */
