/*
 * test_server_store_sql.c: the SQLite history store on real files:
 * epochs, ids and history across a reopen and a crash, reads, pruning
 * by count and by age, tokens, the version 1 file brought to 2, and a
 * commit that fails on a file size limit and is rolled back.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "clock.h"
#include "log.h"
#include "store.h"

#define DAY_MS	(24 * 60 * 60 * 1000LL)

static char	dir[64];
static char	path[128];

/* Each test has a directory of its own, with its database in it. */
static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_store_sql.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/history.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char		 p[160];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, ext[i]);
		(void)unlink(p);
	}
	return rmdir(dir);
}

static struct store *
open_db(unsigned keep, unsigned keep_days)
{
	struct store_sql_config	 cf;
	struct store		*st;
	char			 why[512];

	memset(&cf, 0, sizeof(cf));
	cf.path = path;
	cf.sync = STORE_SYNC_NORMAL;
	cf.keep = keep;
	cf.keep_days = keep_days;
	st = store_sql_open(&cf, why, sizeof(why));
	if (st == NULL)
		print_error("store_sql_open: %s\n", why);
	assert_non_null(st);
	return st;
}

static uint64_t
add_kind(struct store_room *r, enum frame_kind kind, const char *text,
    const char *token, int64_t ts)
{
	struct store_msg	m;

	memset(&m, 0, sizeof(m));
	m.ts = ts;
	m.kind = kind;
	m.nick = "alice";
	m.nicklen = 5;
	m.text = text;
	m.textlen = strlen(text);
	m.token = token;
	m.toklen = token != NULL ? strlen(token) : 0;
	return store_append(r, &m);
}

static uint64_t
add_at(struct store_room *r, const char *text, const char *token,
    int64_t ts)
{
	return add_kind(r, FRAME_MSG, text, token, ts);
}

static uint64_t
add(struct store_room *r, const char *text)
{
	return add_at(r, text, NULL, clock_wall_ms());
}

/* The SQL run on the file directly, as another program would. */
static void
sql(const char *stmt)
{
	sqlite3	*db;
	char	*err = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, stmt, NULL, NULL, &err) != SQLITE_OK)
		print_error("%s: %s\n", stmt, err);
	assert_null(err);
	sqlite3_close(db);
}

static long long
sql_int(const char *query)
{
	sqlite3		*db;
	sqlite3_stmt	*q;
	long long	 v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, query, -1, &q, NULL),
	    SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

/* A commit, and the wait until it is on disk. */
static int
commit(struct store *st)
{
	uint64_t	 t;

	if (store_commit(st, &t) == -1)
		return -1;
	store_wait(st, t);
	return store_synced(st) >= t ? 0 : -1;
}

static void
test_reopen(void **state)
{
	struct store		*st = open_db(0, 0);
	struct store_room	*a, *b;
	struct store_msg	 out[8];
	uint64_t		 ea, eb;

	(void)state;
	a = store_open(st, "Lobby");
	b = store_open(st, "dev");
	ea = store_epoch(a);
	eb = store_epoch(b);
	assert_true(eb > ea);
	assert_int_equal(store_first(a), 1);
	assert_int_equal(add(a, "one"), 1);
	assert_int_equal(add(a, "two"), 2);
	assert_int_equal(add(b, "in dev"), 1);
	assert_int_equal(commit(st), 0);
	/* Closed, dev keeps its history; opened again, it goes on. */
	store_close(b);
	b = store_open(st, "DEV");
	assert_int_equal(store_epoch(b), eb);
	assert_int_equal(store_last(b), 1);
	store_close(a);
	store_close(b);
	store_free(st);

	st = open_db(0, 0);
	a = store_open(st, "LOBBY");
	assert_int_equal(store_epoch(a), ea);
	assert_int_equal(store_last(a), 2);
	assert_int_equal(store_first(a), 1);
	assert_int_equal(store_read(a, 0, out, 8), 2);
	assert_int_equal(out[1].id, 2);
	assert_memory_equal(out[1].text, "two", 3);
	assert_int_equal(out[1].textlen, 3);
	assert_memory_equal(out[1].nick, "alice", 5);
	assert_int_equal(add(a, "three"), 3);
	b = store_open(st, "ops");
	assert_true(store_epoch(b) > eb);
	assert_int_equal(commit(st), 0);
	store_close(a);
	store_close(b);
	store_free(st);
	/* The name as first given is the room's; the key is lower case. */
	assert_int_equal(sql_int("SELECT count(*) FROM rooms WHERE "
	    "key = 'lobby' AND name = 'Lobby' AND last = 3"), 1);
}

/*
 * A process that dies with a transaction open loses it: ids go on from
 * the last commit.  An epoch in the file from the future is outdone.
 */
static void
test_crash(void **state)
{
	struct store		*st;
	struct store_room	*r;
	pid_t			 pid;
	int			 status;
	uint64_t		 e;
	char			 stmt[64];

	(void)state;
	if ((pid = fork()) == 0) {
		st = open_db(0, 0);
		r = store_open(st, "lobby");
		add(r, "one");
		add(r, "two");
		if (commit(st) != 0)
			_exit(1);
		add(r, "lost");
		_exit(store_last(r) == 3 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	st = open_db(0, 0);
	r = store_open(st, "lobby");
	assert_int_equal(store_last(r), 2);
	assert_int_equal(add(r, "three"), 3);
	assert_int_equal(commit(st), 0);
	store_close(r);
	store_free(st);

	/* An hour ahead, say the clock was stepped back since. */
	e = (uint64_t)clock_wall_ms() + 3600 * 1000;
	snprintf(stmt, sizeof(stmt), "UPDATE rooms SET epoch = %llu",
	    (unsigned long long)e);
	sql(stmt);
	st = open_db(0, 0);
	r = store_open(st, "new");
	assert_int_equal(store_epoch(r), e + 1);
	store_close(r);
	store_free(st);
}

static void
test_read_after(void **state)
{
	struct store		*st = open_db(0, 0);
	struct store_room	*r = store_open(st, "lobby");
	struct store_msg	 out[8];
	char			 text[16];
	int			 i;

	(void)state;
	for (i = 1; i <= 6; i++) {
		snprintf(text, sizeof(text), "m%d", i);
		add_kind(r, i == 4 ? FRAME_ACT : FRAME_MSG, text, NULL, 1000 + i);
		if (i == 3)
			assert_int_equal(commit(st), 0);
	}
	/* Committed rows and appended ones read alike. */
	assert_int_equal(store_read(r, 0, out, 8), 6);
	assert_int_equal(store_read(r, 2, out, 2), 2);
	assert_int_equal(out[0].id, 3);
	assert_int_equal(out[0].kind, FRAME_MSG);
	assert_int_equal(out[1].id, 4);
	assert_int_equal(out[1].kind, FRAME_ACT);
	assert_int_equal(out[1].ts, 1004);
	assert_memory_equal(out[1].text, "m4", 3);
	assert_int_equal(store_read(r, 5, out, 8), 1);
	assert_int_equal(out[0].id, 6);
	assert_int_equal(store_read(r, 6, out, 8), 0);
	assert_int_equal(store_read(r, UINT64_MAX, out, 8), 0);
	store_close(r);
	store_free(st);
}

/* Each commit deletes what is past keep, a little more when behind. */
static void
test_keep(void **state)
{
	struct store		*st = open_db(5, 0);
	struct store_room	*r = store_open(st, "lobby");
	struct store_msg	 out[8];
	int			 i;

	(void)state;
	for (i = 0; i < 100; i++) {
		add(r, "x");
		if (i % 10 == 9)
			assert_int_equal(commit(st), 0);
	}
	assert_int_equal(store_first(r), 96);
	assert_int_equal(store_last(r), 100);
	assert_int_equal(store_read(r, 0, out, 8), 5);
	assert_int_equal(out[0].id, 96);
	store_close(r);
	store_free(st);

	/* A lower keep is caught up with a few rows a commit. */
	st = open_db(2, 0);
	r = store_open(st, "lobby");
	add(r, "y");
	assert_int_equal(commit(st), 0);
	assert_int_equal(store_first(r), 100);
	assert_int_equal(store_last(r), 101);
	store_close(r);
	store_free(st);

	/* With all gone, first is past last. */
	sql("DELETE FROM messages");
	st = open_db(2, 0);
	r = store_open(st, "lobby");
	assert_int_equal(store_first(r), 102);
	store_close(r);
	store_free(st);
}

/* Rows past keep-days go from the front, some each second. */
static void
test_keep_days(void **state)
{
	struct store		*st = open_db(0, 1);
	struct store_room	*r = store_open(st, "lobby");
	struct store_room	*gone = store_open(st, "gone");
	int64_t			 old = clock_wall_ms() - 2 * DAY_MS;
	char			 big[1000];
	int			 i;

	(void)state;
	memset(big, 'o', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < 2500; i++)
		add_at(r, big, NULL, old);
	for (i = 0; i < 10; i++)
		add_at(r, "new", NULL, clock_wall_ms());
	add_at(gone, "old", NULL, old);
	assert_int_equal(commit(st), 0);
	store_close(gone);
	store_maintain(st);
	assert_int_equal(store_first(r), 1001);
	store_maintain(st);
	store_maintain(st);
	assert_int_equal(store_first(r), 2501);
	assert_int_equal(store_last(r), 2510);
	/* The 2.5 MB freed go back to the system, 1 MB a second. */
	for (i = 0; i < 3; i++)
		store_maintain(st);
	assert_int_equal(store_first(r), 2501);
	store_close(r);
	store_free(st);
	/* A room no one has open is pruned too. */
	assert_int_equal(sql_int("SELECT count(*) FROM messages"), 10);
	assert_true(sql_int("PRAGMA freelist_count") <= 64);
	assert_true(sql_int("PRAGMA page_count") < 100);
}

static void
test_seen(void **state)
{
	struct store		*st = open_db(0, 0);
	struct store_room	*r = store_open(st, "Dev");
	struct store_seen	 s;
	uint64_t		 e = store_epoch(r);

	(void)state;
	assert_int_equal(add_at(r, "a", "tok-1", 1), 1);
	/* Seen before it is committed. */
	assert_int_equal(store_seen(st, "tok-1", 5, &s), 1);
	assert_int_equal(s.id, 1);
	assert_int_equal(commit(st), 0);
	assert_int_equal(store_seen(st, "tok-2", 5, &s), 0);
	assert_int_equal(store_seen(st, "tok-", 4, &s), 0);
	store_close(r);
	store_free(st);

	st = open_db(0, 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_seen(st, "tok-1", 5, &s), 1);
	assert_string_equal(s.room, "Dev");
	assert_string_equal(s.nick, "alice");
	assert_int_equal(s.epoch, e);
	assert_int_equal(s.id, 1);
	store_free(st);
}

/* Only the newest STORE_TOKENS are seen, and the rest are trimmed. */
static void
test_token_window(void **state)
{
	struct store		*st = open_db(0, 0);
	struct store_room	*r = store_open(st, "lobby");
	struct store_seen	 s;
	char			 tok[16];
	int			 i;

	(void)state;
	for (i = 0; i < STORE_TOKENS + 10; i++) {
		snprintf(tok, sizeof(tok), "t%d", i);
		add_at(r, "x", tok, 1);
	}
	assert_int_equal(commit(st), 0);
	assert_int_equal(store_seen(st, "t9", 2, &s), 0);
	assert_int_equal(store_seen(st, "t10", 3, &s), 1);
	assert_int_equal(s.id, 11);
	store_maintain(st);
	store_close(r);
	store_free(st);
	assert_int_equal(sql_int("SELECT count(*) FROM tokens"), STORE_TOKENS);
}

/* A file of version 1, which had no tokens, as that server made it. */
static void
test_migrate_v1(void **state)
{
	struct store		*st;
	struct store_room	*r;
	struct store_msg	 out[4];
	struct store_seen	 s;

	(void)state;
	sql("PRAGMA auto_vacuum = INCREMENTAL;"
	    "PRAGMA journal_mode = WAL;"
	    "CREATE TABLE rooms (rid INTEGER PRIMARY KEY,"
	    " key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
	    " epoch INTEGER NOT NULL, last INTEGER NOT NULL);"
	    "CREATE TABLE messages (room INTEGER NOT NULL,"
	    " id INTEGER NOT NULL, ts INTEGER NOT NULL,"
	    " kind INTEGER NOT NULL, nick TEXT NOT NULL, text TEXT NOT NULL);"
	    "CREATE UNIQUE INDEX messages_by_id ON messages (room, id);"
	    "INSERT INTO rooms VALUES (1, 'lobby', 'Lobby', 12345, 2);"
	    "INSERT INTO messages VALUES (1, 1, 1000, 0, 'bob', 'hello');"
	    "INSERT INTO messages VALUES (1, 2, 2000, 1, 'bob', 'waves');"
	    "PRAGMA user_version = 1;");
	st = open_db(0, 0);
	r = store_open(st, "lobby");
	assert_int_equal(store_epoch(r), 12345);
	assert_int_equal(store_last(r), 2);
	assert_int_equal(store_read(r, 0, out, 4), 2);
	assert_memory_equal(out[0].text, "hello", 5);
	assert_int_equal(out[1].kind, FRAME_ACT);
	assert_int_equal(add_at(r, "again", "tok", 3000), 3);
	assert_int_equal(commit(st), 0);
	assert_int_equal(store_seen(st, "tok", 3, &s), 1);
	store_close(r);
	store_free(st);
	assert_int_equal(sql_int("PRAGMA user_version"), 2);
	assert_int_equal(sql_int("SELECT count(*) FROM tokens"), 1);
}

static off_t
file_size(const char *suffix)
{
	struct stat	sb;
	char		p[160];

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &sb) == 0 ? sb.st_size : 0;
}

/* In the child: a failed check ends it with the line's number. */
#define CHILD_CHECK(c) do {						\
	if (!(c))							\
		_exit(__LINE__ % 250 + 2);				\
} while (0)

/*
 * Appends that the file size limit will not let through, then the same
 * once it does; the rows of rooms and tokens follow the ids.
 */
static void
commit_fails(void)
{
	struct store		*st = open_db(0, 0);
	struct store_room	*r = store_open(st, "lobby"), *dev;
	struct store_seen	 s;
	struct store_msg	 out[2];
	struct rlimit		 rl;
	char			 big[1024];
	uint64_t		 epoch;
	int			 i;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	add(r, "one");
	add(r, "two");
	CHILD_CHECK(commit(st) == 0);
	dev = store_open(st, "dev");
	epoch = store_epoch(dev);
	rl.rlim_cur = (rlim_t)(file_size("") > file_size("-wal") ?
	    file_size("") : file_size("-wal")) + 8192;
	rl.rlim_max = RLIM_INFINITY;
	CHILD_CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	for (i = 0; i < 300; i++)
		add_at(r, big, i == 0 ? "tok" : NULL, 1);
	add(dev, "in dev");
	CHILD_CHECK(store_last(r) == 302);
	CHILD_CHECK(commit(st) == -1);
	CHILD_CHECK(store_last(r) == 2);
	CHILD_CHECK(store_last(dev) == 0);
	CHILD_CHECK(store_seen(st, "tok", 3, &s) == 0);
	CHILD_CHECK(store_read(r, 2, out, 2) == 0);
	/* Still failing: logged once only. */
	for (i = 0; i < 300; i++)
		add_at(r, big, NULL, 1);
	CHILD_CHECK(commit(st) == -1);
	rl.rlim_cur = RLIM_INFINITY;
	CHILD_CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	CHILD_CHECK(add_at(r, "three", "tok", 1) == 3);
	CHILD_CHECK(commit(st) == 0);
	CHILD_CHECK(commit(st) == 0);
	store_close(r);
	store_close(dev);
	store_free(st);

	st = open_db(0, 0);
	r = store_open(st, "lobby");
	dev = store_open(st, "dev");
	CHILD_CHECK(store_last(r) == 3);
	CHILD_CHECK(store_read(r, 2, out, 2) == 1);
	CHILD_CHECK(out[0].textlen == 5);
	/* The new room's row was written by the commit that went through. */
	CHILD_CHECK(store_epoch(dev) == epoch);
	CHILD_CHECK(store_seen(st, "tok", 3, &s) == 1 && s.id == 3);
	store_close(r);
	store_close(dev);
	store_free(st);
}

static void
test_commit_fails(void **state)
{
	char	 log[4096];
	int	 fds[2], status;
	ssize_t	 n;
	size_t	 len = 0;
	pid_t	 pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		signal(SIGXFSZ, SIG_IGN);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		log_init("test", LOG_INFO, 0);
		commit_fails();
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], log + len, sizeof(log) - 1 - len)) > 0)
		len += (size_t)n;
	log[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		print_error("child: status %d; log:\n%s", status, log);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* One line when storing fails, one when it works again. */
	assert_non_null(strstr(log, "history: cannot store: "));
	assert_null(strstr(strstr(log, "cannot store") + 1, "cannot store"));
	assert_non_null(strstr(log, "history: storing again"));
	assert_null(strstr(strstr(log, "storing again") + 1, "storing again"));
}

static double
seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A million messages: opening reads their room's row and keys only. */
static void
test_open_is_quick(void **state)
{
	struct store		*st;
	struct store_room	*r;
	double			 t;

	(void)state;
	st = open_db(0, 0);
	r = store_open(st, "lobby");
	assert_int_equal(commit(st), 0);
	store_close(r);
	store_free(st);
	sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	    "WHERE i < 1000000) INSERT INTO messages "
	    "SELECT 1, i, 1000, 0, 'alice', 'a line of some forty bytes, "
	    "more or less' FROM n;"
	    "UPDATE rooms SET last = 1000000");
	t = seconds();
	st = open_db(0, 0);
	r = store_open(st, "lobby");
	assert_int_equal(store_first(r), 1);
	assert_int_equal(store_last(r), 1000000);
	t = seconds() - t;
	print_message("opened 1,000,000 messages in %.1f ms\n", t * 1000);
	assert_true(t < 0.2);
	store_close(r);
	store_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_after, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_keep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_days, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_window, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_commit_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_is_quick, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
