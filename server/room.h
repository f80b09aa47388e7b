/*
 * room.h: rooms, their members and history, and the one interface that
 * delivers an event to a room.
 */
#ifndef ROOM_H
#define ROOM_H

#include <stddef.h>
#include <stdint.h>

struct conn;
struct frame;
struct server;

struct room;

/* The room of that name (ignoring case), or NULL. */
struct room	*room_find(struct server *, const char *, size_t);
/* Creates a room with a fresh epoch; NULL if out of memory. */
struct room	*room_create(struct server *, const char *, size_t);
/* Frees a room, its history and its members list (not the members). */
void		 room_free(struct room *);

const char	*room_name(const struct room *);
uint64_t	 room_epoch(const struct room *);
uint64_t	 room_last_id(const struct room *);
int		 room_count(const struct room *);
struct conn	*room_members(const struct room *);	/* in join order */
struct room	*room_next(const struct room *);	/* srv->rooms onwards */

/* Adds a member; the caller announces it. */
void		 room_add(struct room *, struct conn *);
/* Removes a member; a room other than the lobby vanishes when empty. */
void		 room_remove(struct room *, struct conn *);

/*
 * Delivers an event to every member of a room but except (which may be
 * NULL), encoded once per mode into shared blocks.  A msg or act gets
 * the room's epoch and next id, stored into *f, and goes to history.
 * Members get it queued by room_sync() or room_sync_all(), in order.
 */
void		 room_broadcast(struct room *, struct frame *,
		    struct conn *except);

/* Queues for c what its room has broadcast since c last caught up. */
void		 room_sync(struct conn *);
/* Brings every member of every room with new broadcasts up to date. */
void		 room_sync_all(struct server *);

/*
 * Queues history for c: a replay frame then the messages.  With resume
 * set and epoch matching, only those after last, with a notice when
 * history no longer reaches back; a notice first if the epoch differs.
 */
void		 room_replay(struct room *, struct conn *, int resume,
		    uint64_t epoch, uint64_t last);

#endif /* ROOM_H */
