/*
 * chat.h: users on connections: registration (text or frame mode), the
 * nick table, moving between rooms, messages, leaving, announcements and
 * the shutdown notice.  Commands (cmd.c) and the console sit above it.
 */
#ifndef CHAT_H
#define CHAT_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct conns;
struct loop;
struct room;
struct rooms;
struct stream;

struct chat;
struct user;

/* What a registered user typed: a message or a command, for cmd.c. */
typedef void	chat_typed_cb(struct user *, const char *line, size_t len);

/*
 * Chat over the connections and rooms given, with the lobby made;
 * frame clients silent for dead_secs are dropped.  NULL if no memory.
 */
struct chat	*chat_new(struct loop *, struct conns *, struct rooms *,
		    unsigned dead_secs, chat_typed_cb *);
/* Frees every user, without a word to anyone. */
void		 chat_free(struct chat *);
/* The message of the day, NULL-terminated lines; the caller keeps it. */
void		 chat_set_motd(struct chat *, char *const *lines);

/* A new connection of stream from addr; -1 if it cannot be set up. */
int		 chat_accept(struct chat *, struct stream *, const char *addr);

struct rooms	*chat_rooms(const struct chat *);
int		 chat_nusers(const struct chat *);
/* The user of that nick (ignoring case), or NULL. */
struct user	*chat_find(struct chat *, const char *, size_t);

struct chat	*user_chat(const struct user *);
const char	*user_nick(const struct user *);
/* The room the user is in or joining. */
struct room	*user_room(const struct user *);

/* Renames a user; -1 with an error sent if not allowed. */
int		 chat_nick(struct user *, const char *, size_t);
/* Moves a user to another room: part, replay, join and who. */
void		 chat_move(struct user *, struct room *);
/* Posts a message or action from a user to its room. */
void		 chat_say(struct user *, enum frame_kind, const char *, size_t);
/* A private message from one user to another. */
void		 chat_msg(struct user *, struct user *to, const char *,
		    size_t);
/* Sends a user the members of its room. */
void		 chat_who(struct user *);
/* The user leaves, telling its room reason, and is closed once told. */
void		 chat_quit(struct user *, const char *reason);

/* Sends one frame to a user, after what its room said before. */
void		 chat_send(struct user *, const struct frame *);
/* Sends a notice or an error (printf-style) to one user. */
void		 chat_notice(struct user *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 chat_error(struct user *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Sends "[server] text" to every room. */
void		 chat_announce(struct chat *, const char *, size_t);
/* Drops a user, telling its room why. */
void		 chat_kick(struct user *, const char *reason);
/* Tells everyone the server is going away and closes every user. */
void		 chat_shutdown(struct chat *);

#endif /* CHAT_H */
