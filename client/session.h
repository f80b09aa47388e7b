/*
 * session.h: the client's side of the protocol, as the screens see it:
 * the link to the server, the lines waiting to go out, and what the
 * server told us, wired together.  It knows nothing of curses.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "roster.h"
#include "token.h"

struct frame;
struct session;

/* The longest typed line: with "@TOKEN " in front it fits in a line. */
#define SESSION_MAXLINE	(PROTO_MAXLINE - 1 - (TOKEN_MAX + 2))

enum session_state {
	SESSION_DOWN,		/* no connection; a reconnect is scheduled */
	SESSION_CONNECTING,	/* a name lookup or connect() in progress */
	SESSION_HELLO,		/* connected, waiting for the hello reply */
	SESSION_UP		/* registered; lines go straight out */
};

/* Flags passed with a frame: what the roster makes of it. */
#define SESSION_REPLAY	ROSTER_REPLAY	/* part of a history replay */
#define SESSION_OWN	ROSTER_OWN	/* msg or act by the own nick */
#define SESSION_MENTION	ROSTER_MENTION	/* naming the own nick */

struct session_cb {
	void	*arg;
	/* A decoded frame, after the session has taken note of it. */
	void	(*frame)(void *arg, const struct frame *, int flags);
	/* A line that is not a frame (NULL when it was too long). */
	void	(*bad)(void *arg, const char *line, size_t len);
	/*
	 * The connection changed state; why says what happened.  Not
	 * called for the first connection, made before a screen starts.
	 */
	void	(*state)(void *arg, enum session_state, const char *why);
};

/*
 * Returns a session for host and port, to register as nick (NULL or ""
 * for the server's guest nick); NULL if out of memory.  The first
 * connection is made by session_tick() and session_io(), as every
 * reconnect is, without waiting.
 */
struct session	*session_new(const char *host, const char *port,
		    const char *nick, const struct session_cb *);
void		 session_free(struct session *);

/*
 * Why the first connection could not be made, after which the session
 * is done; NULL if it was made or may still be.
 */
const char	*session_failed(const struct session *);

/* The descriptor to poll (-1 for none) and the events it waits for. */
int		 session_fd(const struct session *);
short		 session_events(const struct session *);

/*
 * Milliseconds until session_tick() has work (a ping, a dead link, a
 * reconnect), -1 if none; now is a monotonic clock in ms.
 */
int		 session_timeout(const struct session *, int64_t now);

/* Acts on poll() revents for the descriptor: reads, decodes, writes. */
void		 session_io(struct session *, short revents, int64_t now);

/* Sends a keepalive, declares a dead link or reconnects when due. */
void		 session_tick(struct session *, int64_t now);

/*
 * Sends a typed line, or keeps it until the session is up again.  A
 * message or an action goes with a token and is kept until the server
 * acknowledges it, sent again after each lost link until then; another
 * line is kept until written.  -1 with errno set if out of memory, or
 * EMSGSIZE if longer than SESSION_MAXLINE.
 */
int		 session_send(struct session *, const char *line, size_t len);

/* True when much waits to go out: whoever feeds lines should pause. */
int		 session_busy(const struct session *);

/* Lines kept while down, oldest first; NULL past the end. */
size_t		 session_npending(const struct session *);
const char	*session_pending(const struct session *, size_t i);

/*
 * Messages and actions the server has not acknowledged yet, held or
 * sent: those that may not have reached the room if the client left now.
 */
size_t		 session_nwaiting(const struct session *);

/*
 * Stops reading from the user: sends what is held and half-closes once
 * the server has confirmed every line; no reconnect after that unless
 * lines are still waiting.
 */
void		 session_finish(struct session *);
/* True once finished and the server has closed the connection. */
int		 session_done(const struct session *);

/* Writes what is queued without waiting, then closes. */
void		 session_close(struct session *);

enum session_state session_state(const struct session *);
const char	*session_nick(const struct session *);	/* "" if unknown */
const char	*session_room(const struct session *);
const char	*session_host(const struct session *);
const char	*session_port(const struct session *);

/* Members of the current room, in the server's order. */
size_t		 session_nmembers(const struct session *);
const char *const *session_members(const struct session *);

#endif /* SESSION_H */
