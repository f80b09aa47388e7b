/*
 * chat.h: what a connection's lines mean: registration, nicks, rooms,
 * messages, leaving, and the server-wide announcements and shutdown.
 */
#ifndef CHAT_H
#define CHAT_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct conn;
struct room;
struct server;

/*
 * Registers a new connection: line is its first line (a hello makes it
 * frame mode; anything else is text mode and then handled as typed), or
 * NULL when it said nothing in time (text mode).
 */
void	chat_register(struct conn *, const char *line, size_t len);
/* Handles one line from a connection. */
void	chat_line(struct conn *, const char *line, size_t len);
/* Tells a connection its line was too long and has been dropped. */
void	chat_toolong(struct conn *);
/* The peer will send nothing more: leave, and close once flushed. */
void	chat_eof(struct conn *);
/*
 * Takes a connection out of its room and the nick table, first telling
 * the room (the connection included) why if announce is set.
 */
void	chat_leave(struct conn *, const char *reason, int announce);

/* The user of that nick (ignoring case), or NULL. */
struct conn *chat_find(struct server *, const char *, size_t);
/* Renames a registered user; -1 with an error sent if not allowed. */
int	chat_nick(struct conn *, const char *, size_t);
/* Moves a user to a room, with part, replay, join and who. */
void	chat_join(struct conn *, struct room *, int resume, uint64_t epoch,
	    uint64_t last);
/* Posts a message or action from a user to its room. */
void	chat_say(struct conn *, enum frame_kind, const char *, size_t);

/* A frame of kind for c with text, stamped now. */
void	chat_frame(struct frame *, enum frame_kind, const char *room,
	    const char *nick, const char *text, size_t len);
/* Sends a notice or an error (printf-style) to one connection. */
void	chat_notice(struct conn *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	chat_error(struct conn *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Sends "[server] text" to every room. */
void	chat_announce(struct server *, const char *, size_t);
/* Tells everyone, stops accepting, and stops the loop within 2 s. */
void	chat_shutdown(struct server *);

#endif /* CHAT_H */
