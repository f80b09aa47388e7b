/*
 * sqldb.h: an SQLite file that one process owns: vetted before anything
 * is written to it, locked for good, and brought to the current version
 * of its schema.
 */
#ifndef SQLDB_H
#define SQLDB_H

#include <stddef.h>

#include <sqlite3.h>

/*
 * A schema and its history.  create makes an empty file current;
 * upgrade[v - 1] takes a file from version v to v + 1.  Each runs in one
 * transaction, which also sets the version (PRAGMA user_version).
 */
struct sqldb_schema {
	int			 version;	/* the current one, from 1 */
	const char		*create;
	const char *const	*upgrade;
};

/*
 * Opens the database at path, made if missing, for this process alone:
 * locking_mode EXCLUSIVE with the lock taken now, WAL, and
 * auto_vacuum INCREMENTAL in a file it makes.  NULL with why (a sentence
 * naming the file) if the file cannot be used: not a database, a newer
 * schema or another program's, read-only or in a directory that is, or
 * locked by another process; the file is then left as it was.
 */
sqlite3	*sqldb_open(const char *path, const struct sqldb_schema *,
	    char *why, size_t whylen);

/* Runs SQL that returns no rows; -1 if it fails. */
int	 sqldb_exec(sqlite3 *, const char *sql);

#endif /* SQLDB_H */
