/*
 * store.h: the history store: each room's messages with their ids, and
 * the room's epoch, behind one table of calls.  The memory backend
 * (store_mem.c) keeps the last few per room while the room exists;
 * others keep history across restarts without touching room delivery.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct store;
struct store_room;

/* A stored message or action. */
struct store_msg {
	uint64_t	 id;
	int64_t		 ts;		/* ms since 1970 */
	enum frame_kind	 kind;		/* FRAME_MSG or FRAME_ACT */
	const char	*nick;
	size_t		 nicklen;
	const char	*text;
	size_t		 textlen;
};

struct store_ops {
	struct store_room *(*open)(struct store *, const char *room);
	void		 (*close)(struct store_room *);
	uint64_t	 (*epoch)(const struct store_room *);
	uint64_t	 (*last)(const struct store_room *);
	uint64_t	 (*first)(const struct store_room *);
	uint64_t	 (*append)(struct store_room *, const struct store_msg *);
	size_t		 (*read)(struct store_room *, uint64_t after,
			    struct store_msg *, size_t max);
	int		 (*commit)(struct store *);
	void		 (*free)(struct store *);
};

/* A backend's store, and each of its rooms, start with these. */
struct store {
	const struct store_ops	*ops;
};

struct store_room {
	struct store		*store;
};

/* History in memory: the last keep messages of each open room. */
struct store	*store_mem_new(unsigned keep);

/*
 * The history of a room (its name as given), made with a fresh epoch
 * when the store has none; NULL if out of memory.
 */
struct store_room *store_open(struct store *, const char *room);
/* Lets go of a room's history (the memory backend forgets it). */
void		 store_close(struct store_room *);

uint64_t	 store_epoch(const struct store_room *);
/* The newest id given, 0 if none. */
uint64_t	 store_last(const struct store_room *);
/* The oldest id still held; store_last() + 1 when none is. */
uint64_t	 store_first(const struct store_room *);

/* Gives m the room's next id and keeps it; returns the id, 0 if not kept. */
uint64_t	 store_append(struct store_room *, const struct store_msg *);

/*
 * Fills out with up to max messages of ids above after, oldest first;
 * returns how many.  Their strings are valid until the next call on the
 * room.
 */
size_t		 store_read(struct store_room *, uint64_t after,
		    struct store_msg *out, size_t max);

/* Makes what was appended this turn durable; -1 if it could not. */
int		 store_commit(struct store *);
void		 store_free(struct store *);

#endif /* STORE_H */
