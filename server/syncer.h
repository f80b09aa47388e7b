/*
 * syncer.h: a thread that syncs one file to disk while the loop goes on,
 * and says, through a descriptor the loop watches, how far it got.
 * Requests are numbered; a sync covers every request made before it.
 */
#ifndef SYNCER_H
#define SYNCER_H

#include <stdint.h>

struct syncer;

/* A syncer of the file at path (opened at the first request); NULL. */
struct syncer	*syncer_new(const char *path);
void		 syncer_free(struct syncer *);

/* Asks for the file's data written so far to reach the disk, as n. */
void		 syncer_request(struct syncer *, uint64_t n);

/*
 * The highest request known on disk.  A sync that failed is fatal to
 * what was promised: the caller is told by -1 from syncer_failed().
 */
uint64_t	 syncer_done(struct syncer *);
int		 syncer_failed(struct syncer *, int *err);

/* Blocks until request n is on disk (or a sync failed). */
void		 syncer_wait(struct syncer *, uint64_t n);

/* Readable when syncer_done() moved; syncer_drain() empties it. */
int		 syncer_fd(const struct syncer *);
void		 syncer_drain(struct syncer *);

#endif /* SYNCER_H */
