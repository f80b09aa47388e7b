/*
 * listen.h: the listening sockets: accepting connections fairly, pausing
 * when out of descriptors, and refusing politely when the server is full.
 */
#ifndef LISTEN_H
#define LISTEN_H

struct listener;
struct loop;

/*
 * Takes an accepted, non-blocking socket fd from addr and returns 0: fd
 * is the callee's from then on, even if it could not be served; or 1 to
 * have it refused with the listener's refusal line.
 */
typedef int	listen_cb(void *arg, int fd, const char *addr);

/*
 * Listens on host (NULL: every address) and port, handing connections to
 * cb; refuse is the line (with CRLF) a refused one gets.  NULL with a
 * message in err (NET_ERRLEN bytes) on failure.
 */
struct listener	*listen_open(struct loop *, const char *host, const char *port,
		    const char *refuse, listen_cb *cb, void *arg, char *err);
/*
 * How many refused connections may wait for their peer at once, each
 * holding a descriptor (at most 32; 0: each is closed after one read).
 */
void		 listen_set_waiting(struct listener *, int);
/* Logs each listening address. */
void		 listen_log(const struct listener *);
/* Stops listening; refusals under way end on their own. */
void		 listen_stop(struct listener *);
/* Stops and frees everything, refusals included. */
void		 listen_free(struct listener *);

#endif /* LISTEN_H */
