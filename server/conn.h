/*
 * conn.h: a client connection: its socket, input decoder, output queue,
 * flood budget and lifetime; the chat state that rides on it.
 */
#ifndef CONN_H
#define CONN_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "net.h"
#include "proto.h"

struct block;
struct frame;
struct server;

enum conn_mode {
	CONN_NEW,		/* not yet registered */
	CONN_TEXT,		/* telnet/nc: lines for humans */
	CONN_FRAME		/* chat-client: frames */
};

#define CONN_EOF	0x01	/* the peer will send nothing more */
#define CONN_THROTTLED	0x02	/* out of flood budget; not reading */
#define CONN_CLOSING	0x04	/* closed; freed at the next safe point */
#define CONN_LINGER	0x08	/* close once the output is written */
#define CONN_OVERFLOW	0x10	/* past its send queue; to be dropped */
#define CONN_FLUSHQ	0x20	/* on the flush queue */
#define CONN_USER	0x40	/* registered: has a nick and a room */

struct conn {
	struct server		*srv;
	int			 fd;
	char			 addr[NET_ADDRLEN];
	struct linebuf		*in;
	struct outq		*out;
	enum conn_mode		 mode;
	int			 flags;
	const char		*reason;	/* why it closed, for the log */

	double			 tokens;	/* flood budget, in lines */
	uint64_t		 tokens_at;	/* when last refilled, microseconds */
	uint64_t		 last_read;	/* monotonic ms */
	uint64_t		 linger_until;
	struct loop_timer	 reg_timer;	/* text mode after 500 ms */
	struct loop_timer	 flood_timer;

	char			 nick[PROTO_NICKMAX + 1];
	struct room		*room;
	size_t			 room_off;	/* room's block queued so far */
	struct conn		*room_prev, *room_next;
	struct conn		*nick_next;
	struct conn		*prev, *next;
	struct conn		*flush_next, *overflow_next, *reap_next;
};

/* Accepts what is waiting on a listening socket (a loop callback). */
void	conn_accept(int fd, int ready, void *srv);

/*
 * Makes a connection of an accepted, non-blocking socket and starts
 * watching it; NULL (the caller closes fd) on failure.
 */
struct conn *conn_new(struct server *, int fd);

/*
 * Queues bytes (copied), after what the connection's room has broadcast
 * to it; or len bytes of a shared block at off, as they come (the room
 * keeps its own order).
 */
void	conn_send(struct conn *, const void *, size_t);
void	conn_send_block(struct conn *, struct block *, size_t off,
	    size_t len);
/* Queues one event, rendered for the connection's mode. */
void	conn_send_frame(struct conn *, const struct frame *, int flags);

/* Closes at once, dropping queued output; the room is told reason. */
void	conn_close(struct conn *, const char *reason);
/* Stops reading and closes once queued output is written. */
void	conn_linger(struct conn *, const char *reason);

/* Runs input held back by flood control or a registration delay. */
void	conn_process(struct conn *);

/*
 * The safe point of each loop turn: drops connections past their send
 * queue, writes every connection with new output, frees closed ones.
 */
void	conn_before_sleep(void *srv);

/* Once a second: dead links and lingering closes. */
void	conn_sweep(struct server *);

/* Frees every connection at exit, without a word to anyone. */
void	conn_free_all(struct server *);

#endif /* CONN_H */
