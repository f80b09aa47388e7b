/*
 * room.h: rooms: their members, their history in the store, the replay
 * a joiner gets as its connection drains, and the one path by which
 * anything reaches a room, room_broadcast().
 */
#ifndef ROOM_H
#define ROOM_H

#include <stddef.h>
#include <stdint.h>

struct conn;
struct frame;
struct store;

struct room;
struct rooms;

/*
 * A user's place in a room, kept in the user's own memory; zero it
 * before first use.  room.c writes the fields; others read only room
 * and joined.
 */
struct member {
	struct room	*room;		/* joined, or replaying to join */
	struct conn	*conn;
	const char	*nick;		/* the user's, for lists */
	int		 frame;		/* frame mode, else text mode */
	int		 joined;	/* in the member list */
	size_t		 off;		/* the room's block queued so far */
	uint64_t	 replay_at;	/* the last id replayed */
	uint64_t	 replay_end;	/* the last id that was history */
	struct member	*prev, *next;
};

/* Rooms over a store; a join replays up to lines messages. */
struct rooms	*rooms_new(struct store *, unsigned lines);
/* Frees every room; members are left as they are. */
void		 rooms_free(struct rooms *);

/* The room of that name (ignoring case), or NULL. */
struct room	*room_find(struct rooms *, const char *, size_t);
/* The room of that name, made if new; NULL if out of memory. */
struct room	*room_open(struct rooms *, const char *, size_t);
/* Keeps a room when its last member leaves (the lobby). */
void		 room_keep(struct room *);

struct room	*rooms_first(const struct rooms *);	/* in creation order */
struct room	*room_next(const struct room *);
const char	*room_name(const struct room *);
uint64_t	 room_epoch(const struct room *);
uint64_t	 room_last_id(const struct room *);	/* delivered */
int		 room_count(const struct room *);	/* members joined */
/* The members' nicks in join order, "a b c"; returns the length. */
size_t		 room_who(const struct room *, char *buf, size_t cap);

/*
 * Starts m's join of r over conn: the replay of the last lines messages
 * delivered, or with resume set, those after last, with a notice first
 * if epoch is not the room's, or if history does not reach back to last.
 * m joins the member list once its replay is sent; the rest of a long
 * one goes out by room_pump() as the connection drains.  Returns 1 once
 * joined.
 */
int		 room_join(struct room *, struct member *, struct conn *,
		    const char *nick, int frame, int resume, uint64_t epoch,
		    uint64_t last);
/* Sends more of m's replay; returns 1 once m has joined. */
int		 room_pump(struct member *);
/* Takes m out of its room; a room not kept vanishes when empty. */
void		 room_leave(struct member *);

/*
 * Tells a room an event: every member gets it, in the order the room was
 * told things, once rooms_settle() has run.
 */
void		 room_broadcast(struct room *, const struct frame *);

/*
 * A msg or act f by member from: f gets the room's epoch and next id and
 * goes to the store.  Once the store has committed it, the room gets it
 * (from too, in frame mode) and from an ack of token, if given; if it
 * could not be committed, from gets an error instead, and an ack with id
 * 0.  A token the store has seen is not taken again: from gets the ack
 * of the line it named, and the room nothing.  -1 if f could not even
 * be kept in memory: then it is neither stored nor sent.
 */
int		 room_say(struct room *, struct member *from, struct frame *f,
		    const char *token, size_t toklen);

/*
 * Commits what the rooms were told since the last commit, then delivers
 * in order, room by room, what is on disk (store_synced()): what a
 * member is sent never depends on a commit or a sync yet to come.  The
 * rest waits for a later call, once the store's descriptor says the
 * disk caught up.
 */
void		 rooms_settle(struct rooms *);
/* True while rooms_settle() has something to commit or deliver now. */
int		 rooms_dirty(const struct rooms *);

/*
 * Sends m bytes of its own after everything its room was told before:
 * at once if nothing waits there, else in their place once that is
 * delivered.
 */
void		 room_send(struct member *, const void *, size_t);

/*
 * Queues for m what its room has delivered since m last caught up,
 * settling first if its room waits, and waiting for the disk if need
 * be; room_send() does not wait.
 */
void		 room_sync(struct member *);

#endif /* ROOM_H */
