/*
 * link.h: the client's connection to the server, one at a time: a name
 * lookup and a connect that never block, the hello with a resume point,
 * keepalive pings, the dead link, and reconnects with backoff.  Lines go
 * out and frames come in; what they mean is the caller's business.
 */
#ifndef LINK_H
#define LINK_H

#include <stddef.h>
#include <stdint.h>

struct frame;
struct hello;
struct link;

enum link_state {
	LINK_DOWN,		/* no connection; an attempt may be due */
	LINK_CONNECTING,	/* looking up the name, or connecting */
	LINK_HELLO,		/* connected, waiting for the hello reply */
	LINK_UP			/* the server answered the hello */
};

struct link_cb {
	void	*arg;
	/* Fills in the nick, room and resume point of the next hello. */
	void	(*hello)(void *arg, struct hello *);
	/* A frame read at now: the hello reply too, not keepalive pongs. */
	void	(*frame)(void *arg, const struct frame *, int64_t now);
	/* A line that is not a frame (NULL when it was too long). */
	void	(*bad)(void *arg, const char *line, size_t len);
	/* Connected (LINK_HELLO), up, or down: an attempt failed or the
	 * connection was lost.  why says what happened. */
	void	(*state)(void *arg, enum link_state, const char *why);
};

/*
 * A link to host and port, down with its first attempt due at once;
 * NULL if out of memory.
 */
struct link	*link_new(const char *host, const char *port,
		    const struct link_cb *);
void		 link_free(struct link *);

/* The descriptor to poll (-1 for none) and the events it waits for. */
int		 link_fd(const struct link *);
short		 link_events(const struct link *);

/* Milliseconds until link_tick() has work, -1 if none. */
int		 link_timeout(const struct link *, int64_t now);

/* Acts on poll() revents for link_fd(): reads, decodes, writes. */
void		 link_io(struct link *, short revents, int64_t now);

/*
 * Starts an attempt that is due, gives up one that takes too long,
 * sends a keepalive ping or declares a dead link.
 */
void		 link_tick(struct link *, int64_t now);

/*
 * Queues line and a LF on the connection, connected or up; *end is
 * where it ends in the connection's stream.  -1 if not connected or out
 * of memory.
 */
int		 link_send(struct link *, const char *line, size_t len,
		    uint64_t *end);

/*
 * Bytes of the connection's stream written, kept after it is lost until
 * the next one is made; and bytes queued that are not yet written.
 */
uint64_t	 link_written(const struct link *);
size_t		 link_queued(const struct link *);

/* Half-closes once up and everything queued is written. */
void		 link_shutdown(struct link *);

/* No attempt after this. */
void		 link_stop(struct link *);

/* Writes what is queued without waiting, closes, and stops. */
void		 link_close(struct link *);

enum link_state	 link_state(const struct link *);
const char	*link_host(const struct link *);
const char	*link_port(const struct link *);

#endif /* LINK_H */
