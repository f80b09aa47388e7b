/*
 * sqldb.c: an SQLite file owned by one process.  Nothing that writes
 * runs before the file has been read and locked, so that a file that is
 * not a database, or is not ours, or is in use, is left as it was.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sqldb.h"

/* Beside SQLite's codes: what sqldb_open() itself refuses. */
#define DB_NEWER	(-1)	/* a schema newer than ours */
#define DB_FOREIGN	(-2)	/* tables, but not ours */

static int	db_exec(sqlite3 *, const char *);
static int	db_int(sqlite3 *, const char *, int *);
static int	db_lock(sqlite3 *, int);
static int	db_journal(sqlite3 *);
static int	db_migrate(sqlite3 *, const struct sqldb_schema *, int);
static void	db_why(sqlite3 *, const char *, int, int, char *, size_t);
static int	dir_error(const char *, int);

sqlite3 *
sqldb_open(const char *path, const struct sqldb_schema *sc, char *why,
    size_t whylen)
{
	sqlite3	*db;
	int	 rc, version = 0, pages = 0;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK && sqlite3_db_readonly(db, "main") == 1)
		rc = SQLITE_READONLY;
	if (rc != SQLITE_OK) {
		db_why(db, path, rc, 0, why, whylen);
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 0);
	/*
	 * Exclusive before the first read: the lock is then never let go,
	 * and WAL keeps its index in memory, without a -shm file.
	 */
	if ((rc = db_exec(db, "PRAGMA locking_mode = EXCLUSIVE")) ==
	    SQLITE_OK && (rc = db_int(db, "PRAGMA user_version", &version)) ==
	    SQLITE_OK && version > sc->version)
		rc = DB_NEWER;
	if (rc == SQLITE_OK)
		rc = db_int(db, "PRAGMA page_count", &pages);
	/*
	 * auto_vacuum takes effect only in a file without a page yet, and
	 * the locking transaction makes the first; in any other file it
	 * could write, so it is left alone.
	 */
	if (rc == SQLITE_OK && pages == 0)
		rc = db_exec(db, "PRAGMA auto_vacuum = INCREMENTAL");
	if (rc == SQLITE_OK)
		rc = db_lock(db, version);
	if (rc == SQLITE_OK)
		rc = db_journal(db);
	if (rc == SQLITE_OK && version < sc->version)
		rc = db_migrate(db, sc, version);
	if (rc != SQLITE_OK) {
		if (rc == DB_NEWER)
			snprintf(why, whylen, "%s has history version %d, newer "
			    "than this server's %d", path, version, sc->version);
		else
			db_why(db, path, rc, 1, why, whylen);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

int
sqldb_exec(sqlite3 *db, const char *sql)
{
	return db_exec(db, sql) == SQLITE_OK ? 0 : -1;
}

static int
db_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/*
 * A pragma's number.  The first read is where a file that is not a
 * database shows, or one that another process has locked.
 */
static int
db_int(sqlite3 *db, const char *sql, int *v)
{
	sqlite3_stmt	*q;
	int		 rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL)) != SQLITE_OK)
		return rc;
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		*v = sqlite3_column_int(q, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	return rc;
}

/*
 * A write transaction takes the lock, which locking_mode keeps from now
 * on; one that fails finds the file in use.  A file of version 0 that
 * has tables is some other program's.
 */
static int
db_lock(sqlite3 *db, int version)
{
	sqlite3_stmt	*q;
	int		 rc;

	if ((rc = db_exec(db, "BEGIN EXCLUSIVE")) != SQLITE_OK)
		return rc;
	if (version == 0) {
		rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM "
		    "sqlite_schema", -1, &q, NULL);
		if (rc == SQLITE_OK) {
			if ((rc = sqlite3_step(q)) == SQLITE_ROW)
				rc = sqlite3_column_int(q, 0) > 0 ?
				    DB_FOREIGN : SQLITE_OK;
			sqlite3_finalize(q);
		}
		if (rc != SQLITE_OK) {
			(void)db_exec(db, "ROLLBACK");
			return rc;
		}
	}
	return db_exec(db, "COMMIT");
}

/* WAL, once the file is known to be ours and is locked. */
static int
db_journal(sqlite3 *db)
{
	sqlite3_stmt	*q;
	int		 rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		/* It answers with the mode it is in, the old one if it could not. */
		rc = strcmp((const char *)sqlite3_column_text(q, 0), "wal") == 0 ?
		    SQLITE_OK : SQLITE_CANTOPEN;
	}
	sqlite3_finalize(q);
	return rc;
}

/* From version to the current one, in one transaction. */
static int
db_migrate(sqlite3 *db, const struct sqldb_schema *sc, int version)
{
	char	 sql[64];
	int	 rc, v;

	if ((rc = db_exec(db, "BEGIN")) != SQLITE_OK)
		return rc;
	if (version == 0)
		rc = db_exec(db, sc->create);
	for (v = version; rc == SQLITE_OK && v > 0 && v < sc->version; v++)
		rc = db_exec(db, sc->upgrade[v - 1]);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", sc->version);
	if (rc == SQLITE_OK)
		rc = db_exec(db, sql);
	if (rc == SQLITE_OK)
		rc = db_exec(db, "COMMIT");
	if (rc != SQLITE_OK && !sqlite3_get_autocommit(db))
		(void)db_exec(db, "ROLLBACK");
	return rc;
}

/* One sentence naming path for what rc says; opened: past the open. */
static void
db_why(sqlite3 *db, const char *path, int rc, int opened, char *why,
    size_t len)
{
	int		 sys = db != NULL ? sqlite3_system_errno(db) : 0;
	const char	*detail;

	detail = sys != 0 ? strerror(sys) : db != NULL ? sqlite3_errmsg(db) :
	    sqlite3_errstr(rc);
	if (rc == DB_FOREIGN)
		snprintf(why, len, "%s is a database with tables but no "
		    "history version: another program's?", path);
	else if ((rc & 0xff) == SQLITE_NOTADB)
		snprintf(why, len, "%s is not an SQLite database", path);
	else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		snprintf(why, len, "%s is in use by another chat-server", path);
	else if (rc == SQLITE_READONLY_DIRECTORY ||
	    ((rc & 0xff) == SQLITE_CANTOPEN && opened))
		snprintf(why, len, "cannot write in the directory of %s, where "
		    "its journal %s-wal goes", path, path);
	else if ((rc & 0xff) == SQLITE_READONLY)
		snprintf(why, len, "%s is read-only", path);
	else if ((rc & 0xff) == SQLITE_CANTOPEN && access(path, F_OK) == -1)
		snprintf(why, len, "cannot create %s: %s", path,
		    strerror(dir_error(path, sys)));
	else if ((rc & 0xff) == SQLITE_CANTOPEN)
		snprintf(why, len, "cannot open %s: %s", path, detail);
	else if ((rc & 0xff) == SQLITE_CORRUPT)
		snprintf(why, len, "%s is damaged: %s", path, detail);
	else
		snprintf(why, len, "%s: %s", path, detail);
}

/*
 * Why a file cannot be made at path: its directory's errno, as SQLite
 * says only that the file is missing once it fails to create it; else
 * what SQLite saw.
 */
static int
dir_error(const char *path, int sys)
{
	char		 dir[PATH_MAX];
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
	return access(dir, W_OK | X_OK) == -1 ? errno : sys;
}
