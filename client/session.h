/*
 * session.h: the client's side of the protocol: the connection, the
 * hello and resume, keepalive, reconnect with backoff, lines waiting to
 * be sent, and the room's member list.  It knows nothing of curses.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stddef.h>
#include <stdint.h>

struct frame;
struct session;

enum session_state {
	SESSION_DOWN,		/* no connection; a reconnect is scheduled */
	SESSION_CONNECTING,	/* a reconnect's connect() is in progress */
	SESSION_HELLO,		/* connected, waiting for the hello reply */
	SESSION_UP		/* registered; lines go straight out */
};

/* Flags passed with a frame. */
#define SESSION_REPLAY	0x01	/* part of a history replay */
#define SESSION_OWN	0x02	/* msg or act by this client's own nick */
#define SESSION_MENTION	0x04	/* msg, act or priv naming the own nick */

struct session_cb {
	void	*arg;
	/* A decoded frame, after the session has taken note of it. */
	void	(*frame)(void *arg, const struct frame *, int flags);
	/* A line that is not a frame (NULL when it was too long). */
	void	(*bad)(void *arg, const char *line, size_t len);
	/* The connection changed state; why says what happened. */
	void	(*state)(void *arg, enum session_state, const char *why);
};

/*
 * Returns a session for host and port, to register as nick (NULL or ""
 * for the server's guest nick); NULL if out of memory.
 */
struct session	*session_new(const char *host, const char *port,
		    const char *nick, const struct session_cb *);
void		 session_free(struct session *);

/*
 * Connects now, waiting for connect(), and sends the hello; -1 with a
 * message in err (NET_ERRLEN bytes) if it fails.  Reconnects later are
 * made by session_tick() without waiting.
 */
int		 session_connect(struct session *, char *err);

/* The socket (-1 when down) and the poll() events it waits for. */
int		 session_fd(const struct session *);
short		 session_events(const struct session *);

/*
 * Milliseconds until session_tick() has work (a ping, a dead link, a
 * reconnect), -1 if none; now is a monotonic clock in ms.
 */
int		 session_timeout(const struct session *, int64_t now);

/* Acts on poll() revents for the socket: reads, decodes, writes. */
void		 session_io(struct session *, short revents, int64_t now);

/* Sends a keepalive, declares a dead link or reconnects when due. */
void		 session_tick(struct session *, int64_t now);

/*
 * Sends a typed line, or keeps it until the session is up again; -1 if
 * out of memory.
 */
int		 session_send(struct session *, const char *line, size_t len);

/* True when much waits to go out: whoever feeds lines should pause. */
int		 session_busy(const struct session *);

/* Lines kept while down, oldest first; NULL past the end. */
size_t		 session_npending(const struct session *);
const char	*session_pending(const struct session *, size_t i);

/*
 * Stops reading from the user: flushes what is queued and then
 * half-closes; no reconnect after that unless lines are still waiting.
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

/* A monotonic clock in milliseconds. */
int64_t		 session_now(void);

#endif /* SESSION_H */
