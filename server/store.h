/*
 * store.h: the history store: each room's messages with their ids, the
 * room's epoch, and the tokens of recent lines, behind one table of
 * calls.  The memory backend (store_mem.c) keeps the last few messages
 * per room while the room exists; the SQLite one (store_sql.c) keeps
 * history across restarts without touching room delivery.
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
	const char	*token;		/* the sender's for the line, or NULL */
	size_t		 toklen;
};

/* Where the line of a token went: what a repeat of it is answered. */
struct store_seen {
	char		 room[PROTO_ROOMMAX + 1];
	char		 nick[PROTO_NICKMAX + 1];
	uint64_t	 epoch;
	uint64_t	 id;
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
	int		 (*seen)(struct store *, const char *, size_t,
			    struct store_seen *);
	int		 (*commit)(struct store *, uint64_t *);
	uint64_t	 (*synced)(struct store *);
	void		 (*wait)(struct store *, uint64_t);
	int		 (*fd)(struct store *);
	void		 (*maintain)(struct store *);
	void		 (*free)(struct store *);
};

/* A backend's store, and each of its rooms, start with these. */
struct store {
	const struct store_ops	*ops;
};

struct store_room {
	struct store		*store;
};

/*
 * History in memory: the last keep messages of each open room, and the
 * tokens of the last STORE_TOKENS lines.
 */
struct store	*store_mem_new(unsigned keep);

/* How the SQLite backend syncs a commit. */
enum store_sync {
	STORE_SYNC_FULL,	/* fsync each commit: survives power loss */
	STORE_SYNC_NORMAL	/* power loss may undo the last commits */
};

struct store_sql_config {
	const char	*path;
	enum store_sync	 sync;
	unsigned	 keep;		/* messages per room; 0: no limit */
	unsigned	 keep_days;	/* 0: no age limit */
};

/*
 * History in the SQLite database at path, made if missing.  NULL with
 * why (a sentence naming the file) if the file cannot be used: not a
 * database, a newer schema, read-only, or in use by another server; the
 * file is then left as it was.
 */
struct store	*store_sql_open(const struct store_sql_config *,
		    char *why, size_t whylen);

#define STORE_TOKENS	16384	/* tokens remembered, the newest */

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

/*
 * Gives m the room's next id and keeps it, with its token if it has one;
 * returns the id, 0 if not kept.  It is durable once store_commit()
 * says so.
 */
uint64_t	 store_append(struct store_room *, const struct store_msg *);

/*
 * Looks up the line of a token among the last STORE_TOKENS, appended
 * ones included: 1 and *out filled if found, 0 if not.
 */
int		 store_seen(struct store *, const char *token, size_t len,
		    struct store_seen *out);

/*
 * Fills out with up to max messages of ids above after, oldest first;
 * returns how many.  Their strings are valid until the next call on the
 * room.
 */
size_t		 store_read(struct store_room *, uint64_t after,
		    struct store_msg *out, size_t max);

/*
 * Commits what was appended since the last commit, in one go, and sets
 * *ticket: it is durable once store_synced() reaches the ticket.  -1 if
 * it could not: then none of it is kept, and every room's last id is
 * back where the last commit left it.  A backend logs a failure once,
 * and once that it stores again.
 */
int		 store_commit(struct store *, uint64_t *ticket);

/*
 * The highest ticket durable: the disk may catch up while the loop goes
 * on.  A sync that fails ends the server (exit 1): what it was told is
 * stored may not be.
 */
uint64_t	 store_synced(struct store *);
/* Blocks until ticket is durable. */
void		 store_wait(struct store *, uint64_t ticket);
/*
 * A descriptor readable when store_synced() moved, -1 if it never lags
 * behind store_commit(); store_synced() empties it.
 */
int		 store_fd(struct store *);

/* Once a second: retention by age, and handing back free space. */
void		 store_maintain(struct store *);
void		 store_free(struct store *);

#endif /* STORE_H */
