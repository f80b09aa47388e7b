/*
 * conn.h: a client connection as a transport: a stream, an input decoder
 * under a flood budget, an output queue under send-queue limits, and a
 * lifetime that ends only at the loop's safe point.  It knows nothing of
 * chat: it calls up through the callbacks it was made with.
 */
#ifndef CONN_H
#define CONN_H

#include <stddef.h>
#include <stdint.h>

struct block;
struct loop;
struct stream;

struct conn;
struct conns;

/* What bounds every connection. */
struct conn_limits {
	size_t		 sendq;		/* soft limit of queued output, bytes */
	size_t		 sendq_hard;	/* over it, dropped at once */
	unsigned	 sendq_ms;	/* over the soft limit this long: dropped */
	double		 flood_rate;	/* lines a second; 0: no flood control */
	double		 flood_burst;	/* lines at once */
};

/*
 * What a connection calls; arg is the one given to conn_new().  None is
 * called from inside a conn_send(), and nothing after closed().
 */
struct conn_cb {
	/* A line, without its LF (and CR), NUL-terminated. */
	void	(*line)(void *arg, const char *line, size_t len);
	/* A line passed the limit and was dropped. */
	void	(*toolong)(void *arg);
	/* The peer will send nothing more. */
	void	(*eof)(void *arg);
	/* Nothing was read for the idle time (conn_set_idle()). */
	void	(*idle)(void *arg);
	/* The output queue drained to half of conn_space()'s mark. */
	void	(*drained)(void *arg);
	/* The connection is gone, for reason; the last call. */
	void	(*closed)(void *arg, const char *reason);
};

struct conns	*conns_new(struct loop *, const struct conn_limits *);
/* Frees every connection, calling nothing. */
void		 conns_free(struct conns *);
int		 conns_count(const struct conns *);

/*
 * Makes a connection of a stream and starts reading it; addr names the
 * peer for the log.  NULL (the caller closes the stream) on failure.
 */
struct conn	*conn_new(struct conns *, struct stream *, const char *addr,
		    const struct conn_cb *, void *arg);

/* Queues bytes (copied), or len bytes of a shared block at off. */
void		 conn_send(struct conn *, const void *, size_t);
void		 conn_send_block(struct conn *, struct block *, size_t off,
		    size_t len);
/*
 * Bytes that may still be queued before half the soft limit; 0 once the
 * connection takes no more.
 */
size_t		 conn_space(const struct conn *);
/* Calls drained() as the queue empties, while on is set. */
void		 conn_want_drained(struct conn *, int on);

/* Calls idle() after ms of silence from the peer; 0: never. */
void		 conn_set_idle(struct conn *, unsigned ms);
/* Probes a silent peer with TCP keepalives. */
void		 conn_keepalive(struct conn *);
const char	*conn_addr(const struct conn *);
/* When the first byte came (loop_now()), 0 if none yet. */
uint64_t	 conn_first_byte(const struct conn *);

/* Closes now, dropping queued output; closed() is called at once. */
void		 conn_close(struct conn *, const char *reason);
/*
 * Stops reading, writes what is queued, ends the output and waits
 * briefly for the peer to close, then closes with reason.
 */
void		 conn_linger(struct conn *, const char *reason);

/*
 * The transport's steps before the loop sleeps, which the server runs
 * in order: conns_input() takes lines a stream already holds decoded;
 * conns_drop() closes connections past their send queue; conns_flush()
 * writes every connection with new output; conns_reap() frees closed
 * ones.  conns_busy() is true while drops or writes wait.
 */
void		 conns_input(struct conns *);
void		 conns_drop(struct conns *);
void		 conns_flush(struct conns *);
int		 conns_busy(const struct conns *);
void		 conns_reap(struct conns *);

/* Once a second: idle peers, and queues over the soft limit too long. */
void		 conns_sweep(struct conns *);

#endif /* CONN_H */
