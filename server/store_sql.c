/*
 * store_sql.c: history in an SQLite file, kept across restarts: every
 * message of every room, each room's epoch and last id, and the tokens
 * of recent lines.  Appends of a loop turn go into one transaction that
 * store_commit() ends, so a turn costs one sync however many it stored,
 * and with FULL a thread (syncer.c) does that sync while the loop goes
 * on: a commit's ticket says when it is on disk.
 *
 * Ids are given in memory; each room also remembers the last id that a
 * commit made durable, to go back to when a commit fails.  A room's row
 * is written by the commit after it changed, so a new room whose row
 * was rolled back is written by the next one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "sqldb.h"
#include "store.h"
#include "syncer.h"

#define READ_MAX	256	/* rows one read() returns at most */
#define KEEP_EXTRA	16	/* rows past keep a commit deletes beyond
				   those it appended, to catch up */
#define AGE_BATCH	1000	/* rows past keep-days deleted a second */
#define AGE_ROOMS	64	/* rooms looked at a second for them */
#define TOKEN_EXTRA	1000	/* tokens trimmed a second beyond new ones */
#define VACUUM_SLACK	64	/* free pages kept for the next inserts */
#define VACUUM_PAGES	"256"	/* free pages handed back a second at most */
#define WAL_LIMIT	"8388608"	/* bytes of WAL kept after a checkpoint */
#define WAL_FRAMES	1000		/* pages in the WAL before a checkpoint */
#define DAY_MS		(24 * 60 * 60 * 1000LL)

/*
 * Version 1 had no tokens.  A message's kind is 0 for a message, 1 for
 * an action; a room's key is its name in lower case, its name as first
 * given beside it.  Messages are a table with an index rather than a
 * table without rowid keyed by (room, id): rows of a long line, up to
 * 4 KB, then stay in their page instead of taking one more each.
 */
#define SCHEMA_TOKENS \
	"CREATE TABLE tokens (" \
	" seq INTEGER PRIMARY KEY," \
	" token BLOB NOT NULL UNIQUE," \
	" room TEXT NOT NULL," \
	" nick TEXT NOT NULL," \
	" epoch INTEGER NOT NULL," \
	" id INTEGER NOT NULL);"

static const char *const upgrades[] = {
	SCHEMA_TOKENS
};

static const struct sqldb_schema schema = {
	2,
	"CREATE TABLE rooms ("
	" rid INTEGER PRIMARY KEY,"
	" key TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" epoch INTEGER NOT NULL,"
	" last INTEGER NOT NULL);"
	"CREATE TABLE messages ("
	" room INTEGER NOT NULL,"
	" id INTEGER NOT NULL,"
	" ts INTEGER NOT NULL,"
	" kind INTEGER NOT NULL,"
	" nick TEXT NOT NULL,"
	" text TEXT NOT NULL);"
	"CREATE UNIQUE INDEX messages_by_id ON messages (room, id);"
	SCHEMA_TOKENS,
	upgrades
};

enum query {
	Q_BEGIN,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_ROOM_FIND,
	Q_ROOM_PUT,
	Q_ROOM_AFTER,
	Q_MSG_ADD,
	Q_MSG_READ,
	Q_MSG_FIRST,
	Q_MSG_OLDEST,
	Q_MSG_DROP,
	Q_TOKEN_ADD,
	Q_TOKEN_FIND,
	Q_TOKEN_TRIM,
	Q_FREE_PAGES,
	Q_VACUUM,
	NQUERY
};

static const char *const queries[NQUERY] = {
	"BEGIN",
	"COMMIT",
	"ROLLBACK",
	"SELECT rid, epoch, last FROM rooms WHERE key = ?1",
	"INSERT INTO rooms (rid, key, name, epoch, last) "
	"VALUES (?1, ?2, ?3, ?4, ?5) "
	"ON CONFLICT (rid) DO UPDATE SET last = excluded.last",
	"SELECT rid FROM rooms WHERE rid > ?1 ORDER BY rid LIMIT 1",
	"INSERT INTO messages (room, id, ts, kind, nick, text) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	"SELECT id, ts, kind, nick, text FROM messages "
	"WHERE room = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
	"SELECT min(id) FROM messages WHERE room = ?1",
	"SELECT id, ts FROM messages WHERE room = ?1 ORDER BY id LIMIT ?2",
	"DELETE FROM messages WHERE room = ?1 AND id <= ?2",
	"INSERT OR REPLACE INTO tokens (seq, token, room, nick, epoch, id) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	"SELECT room, nick, epoch, id FROM tokens "
	"WHERE token = ?1 AND seq > ?2",
	"DELETE FROM tokens WHERE seq IN (SELECT seq FROM tokens "
	"WHERE seq <= ?1 ORDER BY seq LIMIT ?2)",
	"PRAGMA freelist_count",
	"PRAGMA incremental_vacuum(" VACUUM_PAGES ")"
};

struct sql_room {
	struct store_room	 r;
	struct sql_room		*next;		/* every room in memory */
	struct sql_room		*dirty_next;
	sqlite3_int64		 rid;
	char			 key[PROTO_ROOMMAX + 1];
	char			 name[PROTO_ROOMMAX + 1];
	uint64_t		 epoch;
	uint64_t		 last;		/* given */
	uint64_t		 done;		/* made durable */
	uint64_t		 added;		/* appended since the commit */
	int			 open;		/* else kept until its commit */
	int			 stored;	/* its row is in the file */
	int			 dirty;		/* on the store's dirty list */
	char			*buf;		/* what read() returned */
	size_t			 bufcap;
};

struct sql_store {
	struct store		 s;
	sqlite3			*db;
	sqlite3_stmt		*q[NQUERY];
	unsigned		 keep, keep_days;
	struct sql_room		*rooms;
	struct sql_room		*dirty;		/* to write at the commit */
	sqlite3_int64		 last_rid;
	uint64_t		 last_epoch;
	sqlite3_int64		 tseq;		/* the newest token's */
	sqlite3_int64		 tseq_done;	/* as the commit left it */
	sqlite3_int64		 tseq_trim;	/* at the last trim */
	sqlite3_int64		 age_rid;	/* age pruning goes on after */
	int			 txn;		/* a transaction is open */
	int			 broken;	/* a step in it failed */
	int			 failing;	/* storing has failed since */
	char			 err[256];	/* what broke it */
	uint64_t		 ticket;	/* commits so far */
	struct syncer		*syncer;	/* FULL: syncs the WAL */
	int			 frames;	/* in the WAL, not yet folded */
	char			*path;
};

static struct store_room *sql_open(struct store *, const char *);
static void		 sql_close(struct store_room *);
static uint64_t		 sql_epoch(const struct store_room *);
static uint64_t		 sql_last(const struct store_room *);
static uint64_t		 sql_first(const struct store_room *);
static uint64_t		 sql_append(struct store_room *,
			    const struct store_msg *);
static size_t		 sql_read(struct store_room *, uint64_t,
			    struct store_msg *, size_t);
static int		 sql_seen(struct store *, const char *, size_t,
			    struct store_seen *);
static int		 sql_commit(struct store *, uint64_t *);
static uint64_t		 sql_synced(struct store *);
static void		 sql_wait(struct store *, uint64_t);
static int		 sql_fd(struct store *);
static void		 sql_maintain(struct store *);
static int		 sql_sync_setup(struct sql_store *, const char *,
			    enum store_sync);
static void		 checkpoint(struct sql_store *);
static int		 wal_frames(void *, sqlite3 *, const char *, int);
static void		 sql_free(struct store *);

static int		 sql_load(struct sql_store *);
static sqlite3_stmt	*query(struct sql_store *, enum query);
static int		 step(struct sql_store *, sqlite3_stmt *);
static int		 run(struct sql_store *, sqlite3_stmt *);
static void		 broke(struct sql_store *);
static int		 begin(struct sql_store *);
static void		 rollback(struct sql_store *);
static void		 settle(struct sql_store *, int);
static void		 mark(struct sql_store *, struct sql_room *);
static void		 room_forget(struct sql_store *, struct sql_room *);
static int		 room_put(struct sql_store *, struct sql_room *);
static uint64_t		 room_first(struct sql_store *,
			    const struct sql_room *);
static int		 trim_keep(struct sql_store *, struct sql_room *);
static int		 token_add(struct sql_store *, struct sql_room *,
			    const struct store_msg *, uint64_t);
static void		 prune_age(struct sql_store *);
static void		 trim_tokens(struct sql_store *);
static void		 vacuum(struct sql_store *);

static const struct store_ops sql_ops = {
	sql_open, sql_close, sql_epoch, sql_last, sql_first, sql_append,
	sql_read, sql_seen, sql_commit, sql_synced, sql_wait, sql_fd,
	sql_maintain, sql_free
};

struct store *
store_sql_open(const struct store_sql_config *cf, char *why, size_t whylen)
{
	struct sql_store	*ss;

	if ((ss = calloc(1, sizeof(*ss))) == NULL) {
		snprintf(why, whylen, "%s: %s", cf->path, strerror(errno));
		return NULL;
	}
	ss->s.ops = &sql_ops;
	ss->keep = cf->keep;
	ss->keep_days = cf->keep_days;
	if ((ss->db = sqldb_open(cf->path, &schema, why, whylen)) == NULL) {
		free(ss);
		return NULL;
	}
	/* A big turn grows the WAL; the checkpoint after it shrinks it. */
	if (sql_sync_setup(ss, cf->path, cf->sync) == -1 ||
	    sqldb_exec(ss->db, "PRAGMA journal_size_limit = "
	    WAL_LIMIT) == -1 || sql_load(ss) == -1) {
		snprintf(why, whylen, "%s: %s", cf->path,
		    sqlite3_errmsg(ss->db));
		sql_free(&ss->s);
		return NULL;
	}
	return &ss->s;
}

/*
 * The sync modes made by hand.  SQLite writes each commit to the WAL
 * without a sync; with FULL, the syncer syncs the WAL in its thread
 * while the loop goes on, and what a commit holds is delivered once it
 * is on disk; with NORMAL, at once, as SQLite's NORMAL would.  Either
 * way checkpoints, which fold the WAL into the file, are ours, with
 * SQLite's own syncs on (checkpoint()), so that the file is on disk
 * before the WAL is written over.
 */
static int
sql_sync_setup(struct sql_store *ss, const char *path, enum store_sync sync)
{
	size_t	len = strlen(path);

	if ((ss->path = malloc(len + 5)) == NULL)
		return -1;
	memcpy(ss->path, path, len);
	memcpy(ss->path + len, "-wal", 5);
	if (sync == STORE_SYNC_FULL &&
	    (ss->syncer = syncer_new(ss->path)) == NULL)
		return -1;
	/* In place of SQLite's checkpoints after a commit: ours. */
	sqlite3_wal_hook(ss->db, wal_frames, ss);
	return sqldb_exec(ss->db, "PRAGMA synchronous = OFF");
}

static int
wal_frames(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)db;
	(void)name;
	((struct sql_store *)arg)->frames = frames;
	return SQLITE_OK;
}

static uint64_t
sql_synced(struct store *st)
{
	struct sql_store	*ss = (struct sql_store *)st;
	int			 err;

	if (ss->syncer == NULL)
		return ss->ticket;
	syncer_drain(ss->syncer);
	if (syncer_failed(ss->syncer, &err) == -1)
		fatalx("history: cannot sync %s: %s", ss->path, strerror(err));
	return syncer_done(ss->syncer);
}

static void
sql_wait(struct store *st, uint64_t ticket)
{
	struct sql_store	*ss = (struct sql_store *)st;

	if (ss->syncer != NULL) {
		syncer_wait(ss->syncer, ticket);
		(void)sql_synced(st);
	}
}

static int
sql_fd(struct store *st)
{
	struct sql_store	*ss = (struct sql_store *)st;

	return ss->syncer != NULL ? syncer_fd(ss->syncer) : -1;
}

/*
 * Folds the WAL into the file, syncing both, so that the WAL is written
 * again from its start: in place, a sync of it is of data alone, which
 * is what keeps syncs quick.
 */
static void
checkpoint(struct sql_store *ss)
{
	if (ss->frames == 0 || ss->txn)
		return;
	if (sqldb_exec(ss->db, "PRAGMA synchronous = FULL") == 0 &&
	    sqldb_exec(ss->db, "PRAGMA wal_checkpoint(RESTART)") == 0) {
		ss->frames = 0;
	}
	(void)sqldb_exec(ss->db, "PRAGMA synchronous = OFF");
}

/*
 * What the file says of itself, the newest epoch, room and token, read
 * by key: no scan of the messages.  Statements are made now, once.
 */
static int
sql_load(struct sql_store *ss)
{
	sqlite3_stmt	*q;
	int		 i, rc;

	for (i = 0; i < NQUERY; i++) {
		if (sqlite3_prepare_v3(ss->db, queries[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &ss->q[i], NULL) != SQLITE_OK)
			return -1;
	}
	if (sqlite3_prepare_v2(ss->db, "SELECT (SELECT max(rid) FROM rooms), "
	    "(SELECT max(epoch) FROM rooms), (SELECT max(seq) FROM tokens)",
	    -1, &q, NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		ss->last_rid = sqlite3_column_int64(q, 0);
		ss->last_epoch = (uint64_t)sqlite3_column_int64(q, 1);
		ss->tseq = ss->tseq_done = sqlite3_column_int64(q, 2);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : -1;
}

static void
sql_free(struct store *st)
{
	struct sql_store	*ss = (struct sql_store *)st;
	int			 i;

	uint64_t		 ticket;

	if (ss->db != NULL && sql_commit(st, &ticket) == 0)
		sql_wait(st, ticket);
	while (ss->rooms != NULL)
		room_forget(ss, ss->rooms);
	for (i = 0; i < NQUERY; i++)
		sqlite3_finalize(ss->q[i]);
	/* The last connection to close folds the WAL into the file. */
	if (ss->db != NULL)
		(void)sqldb_exec(ss->db, "PRAGMA synchronous = FULL");
	sqlite3_close(ss->db);
	syncer_free(ss->syncer);
	free(ss->path);
	free(ss);
}

/* A statement, reset after its last use and with its bindings cleared. */
static sqlite3_stmt *
query(struct sql_store *ss, enum query i)
{
	sqlite3_reset(ss->q[i]);
	sqlite3_clear_bindings(ss->q[i]);
	return ss->q[i];
}

/* One step: SQLITE_ROW or SQLITE_DONE, or 0 once the step failed. */
static int
step(struct sql_store *ss, sqlite3_stmt *q)
{
	int	rc;

	if ((rc = sqlite3_step(q)) == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	broke(ss);
	sqlite3_reset(q);
	return 0;
}

/* Runs a statement that returns no rows: 0, or -1 if it failed. */
static int
run(struct sql_store *ss, sqlite3_stmt *q)
{
	int	rc = step(ss, q);

	sqlite3_reset(q);
	return rc == 0 ? -1 : 0;
}

/* Remembers the first failure of the transaction, for the log. */
static void
broke(struct sql_store *ss)
{
	if (!ss->broken)
		snprintf(ss->err, sizeof(ss->err), "%s",
		    sqlite3_errmsg(ss->db));
	ss->broken = 1;
}

/* Opens the turn's transaction if none is; -1 if there is no storing. */
static int
begin(struct sql_store *ss)
{
	if (ss->broken)
		return -1;
	if (ss->txn)
		return 0;
	if (run(ss, query(ss, Q_BEGIN)) == -1)
		return -1;
	ss->txn = 1;
	return 0;
}

/* Undoes the transaction, and logs the failure once. */
static void
rollback(struct sql_store *ss)
{
	if (!sqlite3_get_autocommit(ss->db))
		(void)sqlite3_step(query(ss, Q_ROLLBACK));
	sqlite3_reset(ss->q[Q_ROLLBACK]);
	if (!ss->failing)
		log_warnx("history: cannot store: %s", ss->err);
	ss->failing = 1;
	ss->txn = 0;
	ss->broken = 0;
}

/*
 * After a commit (ok) or a rollback: the rooms written are durable, or
 * back where the last commit left them; a new room whose row was lost
 * stays on the list, for the next commit to write.
 */
static void
settle(struct sql_store *ss, int ok)
{
	struct sql_room	*r, *next, *keep = NULL;

	for (r = ss->dirty; r != NULL; r = next) {
		next = r->dirty_next;
		if (ok) {
			r->done = r->last;
			r->stored = 1;
		} else
			r->last = r->done;
		r->added = 0;
		r->dirty = 0;
		if (!r->open)
			room_forget(ss, r);
		else if (!r->stored) {
			r->dirty = 1;
			r->dirty_next = keep;
			keep = r;
		}
	}
	ss->dirty = keep;
	if (ok)
		ss->tseq_done = ss->tseq;
	else
		ss->tseq = ss->tseq_done;
}

/* Puts a room on the list of rooms the next commit writes. */
static void
mark(struct sql_store *ss, struct sql_room *r)
{
	if (r->dirty)
		return;
	r->dirty = 1;
	r->dirty_next = ss->dirty;
	ss->dirty = r;
}

/* Frees a room that is neither open nor waiting for its commit. */
static void
room_forget(struct sql_store *ss, struct sql_room *r)
{
	struct sql_room	**rp;

	for (rp = &ss->rooms; *rp != NULL; rp = &(*rp)->next) {
		if (*rp == r) {
			*rp = r->next;
			break;
		}
	}
	free(r->buf);
	free(r);
}

/*
 * The room in memory (one closed but not yet committed comes back), or
 * its row in the file, or a new room with an epoch above every other.
 */
static struct store_room *
sql_open(struct store *st, const char *name)
{
	struct sql_store	*ss = (struct sql_store *)st;
	struct sql_room		*r, *old;
	sqlite3_stmt		*q;
	size_t			 i;
	int			 rc;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	snprintf(r->name, sizeof(r->name), "%s", name);
	for (i = 0; r->name[i] != '\0'; i++)
		r->key[i] = (char)(r->name[i] >= 'A' && r->name[i] <= 'Z' ?
		    r->name[i] - 'A' + 'a' : r->name[i]);
	for (old = ss->rooms; old != NULL; old = old->next) {
		if (strcmp(old->key, r->key) == 0) {
			old->open = 1;
			free(r);
			return &old->r;
		}
	}
	r->r.store = st;
	r->open = 1;
	q = query(ss, Q_ROOM_FIND);
	sqlite3_bind_text(q, 1, r->key, -1, SQLITE_STATIC);
	if ((rc = step(ss, q)) == SQLITE_ROW) {
		r->rid = sqlite3_column_int64(q, 0);
		r->epoch = (uint64_t)sqlite3_column_int64(q, 1);
		r->last = r->done = (uint64_t)sqlite3_column_int64(q, 2);
		r->stored = 1;
	} else if (rc == SQLITE_DONE) {
		r->rid = ++ss->last_rid;
		r->epoch = (uint64_t)clock_wall_ms();
		if (r->epoch <= ss->last_epoch)
			r->epoch = ss->last_epoch + 1;
		ss->last_epoch = r->epoch;
		mark(ss, r);
	}
	sqlite3_reset(q);
	if (rc == 0) {
		log_warnx("history: cannot read room %s: %s", r->name,
		    sqlite3_errmsg(ss->db));
		free(r);
		errno = EIO;
		return NULL;
	}
	r->next = ss->rooms;
	ss->rooms = r;
	return &r->r;
}

/* A room with something to commit stays until the commit is done. */
static void
sql_close(struct store_room *sr)
{
	struct sql_room	*r = (struct sql_room *)sr;

	r->open = 0;
	if (!r->dirty)
		room_forget((struct sql_store *)sr->store, r);
}

static uint64_t
sql_epoch(const struct store_room *sr)
{
	return ((const struct sql_room *)sr)->epoch;
}

static uint64_t
sql_last(const struct store_room *sr)
{
	return ((const struct sql_room *)sr)->last;
}

static uint64_t
sql_first(const struct store_room *sr)
{
	return room_first((struct sql_store *)sr->store,
	    (const struct sql_room *)sr);
}

/* The oldest id held, by the key; last + 1 when none is. */
static uint64_t
room_first(struct sql_store *ss, const struct sql_room *r)
{
	sqlite3_stmt	*q = query(ss, Q_MSG_FIRST);
	uint64_t	 first = r->last + 1;

	sqlite3_bind_int64(q, 1, r->rid);
	if (sqlite3_step(q) == SQLITE_ROW &&
	    sqlite3_column_type(q, 0) != SQLITE_NULL)
		first = (uint64_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return first;
}

/* The next id, given now; the row waits in the turn's transaction. */
static uint64_t
sql_append(struct store_room *sr, const struct store_msg *m)
{
	struct sql_room		*r = (struct sql_room *)sr;
	struct sql_store	*ss = (struct sql_store *)sr->store;
	sqlite3_stmt		*q;
	uint64_t		 id = r->last + 1;

	if (begin(ss) == -1)
		return 0;
	q = query(ss, Q_MSG_ADD);
	sqlite3_bind_int64(q, 1, r->rid);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)id);
	sqlite3_bind_int64(q, 3, m->ts);
	sqlite3_bind_int(q, 4, m->kind == FRAME_ACT);
	sqlite3_bind_text(q, 5, m->nick, (int)m->nicklen, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, m->text, (int)m->textlen, SQLITE_STATIC);
	if (run(ss, q) == -1 || token_add(ss, r, m, id) == -1)
		return 0;
	r->last = id;
	r->added++;
	mark(ss, r);
	return id;
}

static int
token_add(struct sql_store *ss, struct sql_room *r,
    const struct store_msg *m, uint64_t id)
{
	sqlite3_stmt	*q;

	if (m->token == NULL || m->toklen == 0 || m->toklen > PROTO_TOKENMAX)
		return 0;
	q = query(ss, Q_TOKEN_ADD);
	sqlite3_bind_int64(q, 1, ss->tseq + 1);
	sqlite3_bind_blob(q, 2, m->token, (int)m->toklen, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, m->nick, (int)m->nicklen, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)r->epoch);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)id);
	if (run(ss, q) == -1)
		return -1;
	ss->tseq++;
	return 0;
}

/*
 * The rows after after, committed or not, copied into the room's buffer
 * (nick and text, each with a NUL) so they outlive the statement.
 */
static size_t
sql_read(struct store_room *sr, uint64_t after, struct store_msg *out,
    size_t max)
{
	struct sql_room		*r = (struct sql_room *)sr;
	struct sql_store	*ss = (struct sql_store *)sr->store;
	sqlite3_stmt		*q;
	const unsigned char	*nick, *text;
	size_t			 off[READ_MAX], used = 0, need, n = 0, i;
	char			*p;

	if (after >= r->last || max == 0)
		return 0;
	q = query(ss, Q_MSG_READ);
	sqlite3_bind_int64(q, 1, r->rid);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)after);
	sqlite3_bind_int64(q, 3, max < READ_MAX ? (sqlite3_int64)max :
	    READ_MAX);
	while (sqlite3_step(q) == SQLITE_ROW) {
		nick = sqlite3_column_text(q, 3);
		text = sqlite3_column_text(q, 4);
		out[n].nicklen = (size_t)sqlite3_column_bytes(q, 3);
		out[n].textlen = (size_t)sqlite3_column_bytes(q, 4);
		need = used + out[n].nicklen + out[n].textlen + 2;
		if (need > r->bufcap) {
			if ((p = realloc(r->buf, need * 2)) == NULL)
				break;
			r->buf = p;
			r->bufcap = need * 2;
		}
		out[n].id = (uint64_t)sqlite3_column_int64(q, 0);
		out[n].ts = sqlite3_column_int64(q, 1);
		out[n].kind = sqlite3_column_int(q, 2) ? FRAME_ACT : FRAME_MSG;
		out[n].token = NULL;
		out[n].toklen = 0;
		off[n] = used;
		memcpy(r->buf + used, nick, out[n].nicklen);
		r->buf[used + out[n].nicklen] = '\0';
		used += out[n].nicklen + 1;
		memcpy(r->buf + used, text, out[n].textlen);
		r->buf[used + out[n].textlen] = '\0';
		used += out[n].textlen + 1;
		n++;
	}
	sqlite3_reset(q);
	for (i = 0; i < n; i++) {
		out[i].nick = r->buf + off[i];
		out[i].text = r->buf + off[i] + out[i].nicklen + 1;
	}
	return n;
}

/* Appended tokens count: the statement sees the open transaction. */
static int
sql_seen(struct store *st, const char *token, size_t len,
    struct store_seen *out)
{
	struct sql_store	*ss = (struct sql_store *)st;
	sqlite3_stmt		*q = query(ss, Q_TOKEN_FIND);
	int			 found = 0;

	sqlite3_bind_blob(q, 1, token, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, ss->tseq - STORE_TOKENS);
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(out->room, sizeof(out->room), "%s",
		    (const char *)sqlite3_column_text(q, 0));
		snprintf(out->nick, sizeof(out->nick), "%s",
		    (const char *)sqlite3_column_text(q, 1));
		out->epoch = (uint64_t)sqlite3_column_int64(q, 2);
		out->id = (uint64_t)sqlite3_column_int64(q, 3);
		found = 1;
	}
	sqlite3_reset(q);
	return found;
}

/*
 * The rows of the rooms written to, the oldest beyond keep deleted, and
 * one COMMIT; on any failure, a ROLLBACK and every room's last id back.
 */
static int
sql_commit(struct store *st, uint64_t *ticket)
{
	struct sql_store	*ss = (struct sql_store *)st;
	struct sql_room		*r;

	*ticket = ss->ticket;
	if (!ss->txn && !ss->broken && ss->dirty == NULL)
		return 0;
	if (begin(ss) == 0) {
		for (r = ss->dirty; r != NULL; r = r->dirty_next) {
			if (room_put(ss, r) == -1 || trim_keep(ss, r) == -1)
				break;
		}
		if (r == NULL && run(ss, query(ss, Q_COMMIT)) == 0) {
			ss->txn = 0;
			settle(ss, 1);
			*ticket = ++ss->ticket;
			if (ss->syncer != NULL)
				syncer_request(ss->syncer, ss->ticket);
			if (ss->frames >= WAL_FRAMES)
				checkpoint(ss);
			if (ss->failing)
				log_notice("history: storing again");
			ss->failing = 0;
			return 0;
		}
	}
	rollback(ss);
	settle(ss, 0);
	return -1;
}

static int
room_put(struct sql_store *ss, struct sql_room *r)
{
	sqlite3_stmt	*q = query(ss, Q_ROOM_PUT);

	sqlite3_bind_int64(q, 1, r->rid);
	sqlite3_bind_text(q, 2, r->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)r->epoch);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)r->last);
	return run(ss, q);
}

/*
 * Deletes the oldest rows beyond keep, no more than were appended and a
 * few: deleting keeps up with appending, a turn's transaction stays
 * small, and a lowered keep is caught up with a little at a time.
 */
static int
trim_keep(struct sql_store *ss, struct sql_room *r)
{
	sqlite3_stmt	*q;
	uint64_t	 upto, first;

	if (ss->keep == 0 || r->added == 0 || r->last <= ss->keep)
		return 0;
	upto = r->last - ss->keep;
	if ((first = room_first(ss, r)) > upto)
		return 0;
	if (upto - first >= r->added + KEEP_EXTRA)
		upto = first + r->added + KEEP_EXTRA - 1;
	q = query(ss, Q_MSG_DROP);
	sqlite3_bind_int64(q, 1, r->rid);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)upto);
	return run(ss, q);
}

/*
 * Once a second, a little of each: rows past keep-days, tokens past the
 * window, free pages.  In the turn's transaction if appends opened one,
 * so the turn still commits once; else in a short one of its own.
 */
static void
sql_maintain(struct store *st)
{
	struct sql_store	*ss = (struct sql_store *)st;
	int			 own = !ss->txn;

	if (ss->broken || (own && run(ss, query(ss, Q_BEGIN)) == -1))
		return;
	prune_age(ss);
	trim_tokens(ss);
	vacuum(ss);
	if (!own)
		return;
	if (ss->broken || run(ss, query(ss, Q_COMMIT)) == -1) {
		/* Nothing of the rooms is in it: their state stands. */
		rollback(ss);
	}
	checkpoint(ss);
}

/*
 * Deletes from the front of each room the rows older than keep-days, at
 * most AGE_BATCH a call; by id, so that history never has a hole even
 * if the clock went back.  A cursor over the rooms goes on next time.
 */
static void
prune_age(struct sql_store *ss)
{
	sqlite3_stmt	*q;
	sqlite3_int64	 rid, upto;
	int64_t		 cutoff;
	int		 budget = AGE_BATCH, rooms, n;

	if (ss->keep_days == 0)
		return;
	cutoff = clock_wall_ms() - (int64_t)ss->keep_days * DAY_MS;
	for (rooms = 0; rooms < AGE_ROOMS && budget > 0; rooms++) {
		q = query(ss, Q_ROOM_AFTER);
		sqlite3_bind_int64(q, 1, ss->age_rid);
		rid = step(ss, q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
		sqlite3_reset(q);
		if (rid == 0) {
			ss->age_rid = 0;
			return;
		}
		q = query(ss, Q_MSG_OLDEST);
		sqlite3_bind_int64(q, 1, rid);
		sqlite3_bind_int(q, 2, budget);
		for (n = 0, upto = 0; step(ss, q) == SQLITE_ROW &&
		    sqlite3_column_int64(q, 1) < cutoff; n++)
			upto = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		if (ss->broken)
			return;
		if (n > 0) {
			q = query(ss, Q_MSG_DROP);
			sqlite3_bind_int64(q, 1, rid);
			sqlite3_bind_int64(q, 2, upto);
			if (run(ss, q) == -1)
				return;
		}
		budget -= n;
		/* A room with more to delete is where the next call starts. */
		if (budget > 0)
			ss->age_rid = rid;
	}
}

/*
 * seen() looks only at the newest STORE_TOKENS; this hands back the room
 * of the older ones, as many as came since the last trim and some more.
 */
static void
trim_tokens(struct sql_store *ss)
{
	sqlite3_stmt	*q;
	sqlite3_int64	 n = TOKEN_EXTRA;

	if (ss->tseq - STORE_TOKENS <= 0 || ss->tseq == ss->tseq_trim)
		return;
	if (ss->tseq > ss->tseq_trim)
		n += ss->tseq - ss->tseq_trim;
	q = query(ss, Q_TOKEN_TRIM);
	sqlite3_bind_int64(q, 1, ss->tseq - STORE_TOKENS);
	sqlite3_bind_int64(q, 2, n);
	if (run(ss, q) == 0)
		ss->tseq_trim = ss->tseq;
}

/* Gives the file's free pages back, a bounded number at a time. */
static void
vacuum(struct sql_store *ss)
{
	sqlite3_stmt	*q = query(ss, Q_FREE_PAGES);
	int		 free_pages = 0;

	if (step(ss, q) == SQLITE_ROW)
		free_pages = sqlite3_column_int(q, 0);
	sqlite3_reset(q);
	if (free_pages <= VACUUM_SLACK)
		return;
	q = query(ss, Q_VACUUM);
	while (step(ss, q) == SQLITE_ROW)
		;
	sqlite3_reset(q);
}
