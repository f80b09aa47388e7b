/*
 * outq.h: output queues of shared, reference-counted blocks, flushed to a
 * non-blocking descriptor in few system calls (send() or writev()).
 */
#ifndef OUTQ_H
#define OUTQ_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/*
 * A block holds bytes that many queues may reference at once: one
 * broadcast is encoded once into a block and queued for every recipient.
 * Bytes already appended never move, so a block may grow while queued.
 */
struct block;

struct block	*block_new(size_t cap);		/* refcount 1; NULL if no memory */
void		 block_ref(struct block *);
void		 block_unref(struct block *);	/* frees at refcount 0 */
size_t		 block_len(const struct block *);
size_t		 block_avail(const struct block *);
/* Appends len bytes if they fit; returns their offset, or -1. */
ssize_t		 block_append(struct block *, const void *, size_t);
/* Room for len bytes at the end, to fill and then block_commit(). */
char		*block_tail(struct block *);
void		 block_commit(struct block *, size_t len);

struct outq;

struct outq	*outq_new(void);
void		 outq_free(struct outq *);

/* Copies len bytes to the end of the queue; -1 if out of memory. */
int		 outq_append(struct outq *, const void *, size_t);

/*
 * Queues len bytes of a block at offset off, taking a reference; joins
 * the previous entry when it ends where this one starts.  -1 if out of
 * memory.
 */
int		 outq_append_block(struct outq *, struct block *, size_t off,
		    size_t len);

/* Bytes queued and not yet written. */
size_t		 outq_len(const struct outq *);

/*
 * Where a queue is written: takes what it can of the n ranges in iov
 * and returns how many bytes, or -1 with errno set (EAGAIN: not now).
 */
typedef ssize_t	 outq_writer(void *arg, const struct iovec *iov, int n);

/*
 * Writes as much as wr takes, in order, in few calls.  Returns the
 * bytes written (0 when it would block) or -1 with errno set on a write
 * error.  Storage is released as it drains.
 */
ssize_t		 outq_write(struct outq *, outq_writer *wr, void *arg);

/* The writer of a non-blocking descriptor; arg points at the int. */
ssize_t		 outq_write_fd(void *arg, const struct iovec *iov, int n);

/* outq_write() to the descriptor fd. */
ssize_t		 outq_flush(struct outq *, int fd);

/* Drops everything queued. */
void		 outq_clear(struct outq *);

#endif /* OUTQ_H */
