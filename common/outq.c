/*
 * outq.c: output queues.  A queue is a ring of (block, offset, length)
 * entries; blocks are shared and reference-counted, so one broadcast is
 * encoded once and queued for every recipient.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outq.h"

#define OUTQ_BLOCK	4096	/* the private tail block of outq_append() */
#define OUTQ_INLINE	4	/* ring entries inside the queue; a power of 2 */

/* At most this many iovecs per writev(). */
#if defined(IOV_MAX) && IOV_MAX < 1024
#define OUTQ_IOV	IOV_MAX
#else
#define OUTQ_IOV	1024
#endif

struct block {
	size_t	refs;
	size_t	len;
	size_t	cap;
	char	data[];
};

struct entry {
	struct block	*b;
	size_t		 off;
	size_t		 len;
};

/*
 * ring holds count entries from head, in a power-of-two array: inl, the
 * few entries kept inside the queue, until more are needed.  A queue of
 * broadcasts mostly needs one entry (contiguous ranges of a block join),
 * so queueing and draining allocate nothing.  tail is the queue's own
 * block for outq_append(), referenced by the queue; it and a grown ring
 * are released when the queue drains.
 */
struct outq {
	struct entry	*ring;
	size_t		 size;
	size_t		 head;
	size_t		 count;
	size_t		 bytes;
	struct block	*tail;
	struct entry	 inl[OUTQ_INLINE];
};

static int		 ring_grow(struct outq *);
static struct entry	*ring_last(struct outq *);
static int		 ring_add(struct outq *, struct block *, size_t,
			    size_t);
static int		 queue_bytes(struct outq *, struct block *,
			    const char *, size_t);
static void		 consume(struct outq *, size_t);
static void		 release(struct outq *);

struct block *
block_new(size_t cap)
{
	struct block	*b;

	if (cap > SIZE_MAX - sizeof(*b))
		return NULL;
	if ((b = malloc(sizeof(*b) + cap)) == NULL)
		return NULL;
	b->refs = 1;
	b->len = 0;
	b->cap = cap;
	return b;
}

void
block_ref(struct block *b)
{
	b->refs++;
}

void
block_unref(struct block *b)
{
	if (b != NULL && --b->refs == 0)
		free(b);
}

size_t
block_len(const struct block *b)
{
	return b->len;
}

size_t
block_avail(const struct block *b)
{
	return b->cap - b->len;
}

ssize_t
block_append(struct block *b, const void *data, size_t len)
{
	size_t	off = b->len;

	if (len > b->cap - b->len || off > SSIZE_MAX)
		return -1;
	memcpy(b->data + off, data, len);
	b->len += len;
	return (ssize_t)off;
}

char *
block_tail(struct block *b)
{
	return b->data + b->len;
}

void
block_commit(struct block *b, size_t len)
{
	if (len > b->cap - b->len)
		len = b->cap - b->len;
	b->len += len;
}

struct outq *
outq_new(void)
{
	struct outq	*q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->ring = q->inl;
	q->size = OUTQ_INLINE;
	return q;
}

void
outq_free(struct outq *q)
{
	if (q == NULL)
		return;
	outq_clear(q);
	free(q);
}

int
outq_append(struct outq *q, const void *data, size_t len)
{
	const char	*d = data;
	struct block	*nb = NULL;
	size_t		 fit = 0;

	if (len == 0)
		return 0;
	if (q->tail != NULL)
		fit = block_avail(q->tail);
	if (fit > len)
		fit = len;
	/* Get everything that can fail before queueing a byte. */
	if (fit < len) {
		nb = block_new(len - fit > OUTQ_BLOCK ? len - fit : OUTQ_BLOCK);
		if (nb == NULL)
			return -1;
	}
	if (q->count + 2 > q->size && ring_grow(q) == -1) {
		block_unref(nb);
		return -1;
	}
	if (fit > 0)
		queue_bytes(q, q->tail, d, fit);
	if (nb != NULL) {
		block_unref(q->tail);
		q->tail = nb;
		queue_bytes(q, nb, d + fit, len - fit);
	}
	return 0;
}

/*
 * The common case of a broadcast, the next range of the block last
 * queued, stays short and calls nothing; a new entry takes the slow path.
 */
int
outq_append_block(struct outq *q, struct block *b, size_t off, size_t len)
{
	struct entry	*e;

	if ((e = ring_last(q)) != NULL && e->b == b && e->off + e->len == off) {
		e->len += len;
		q->bytes += len;
		return 0;
	}
	if (len == 0)
		return 0;
	return ring_add(q, b, off, len);
}

size_t
outq_len(const struct outq *q)
{
	return q->bytes;
}

ssize_t
outq_write(struct outq *q, outq_writer *wr, void *arg)
{
	struct iovec	 iov[OUTQ_IOV];
	struct entry	*e;
	size_t		 total = 0, tried, i;
	ssize_t		 n;

	while (q->count > 0) {
		tried = 0;
		for (i = 0; i < q->count && i < OUTQ_IOV; i++) {
			e = &q->ring[(q->head + i) & (q->size - 1)];
			iov[i].iov_base = e->b->data + e->off;
			iov[i].iov_len = e->len;
			tried += e->len;
		}
		if ((n = wr(arg, iov, (int)i)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		if (n == 0)
			break;
		consume(q, (size_t)n);
		total += (size_t)n;
		/* A short write means a full socket: skip the EAGAIN call. */
		if ((size_t)n < tried)
			break;
	}
	if (q->count == 0)
		release(q);
	return total > SSIZE_MAX ? SSIZE_MAX : (ssize_t)total;
}

ssize_t
outq_flush(struct outq *q, int fd)
{
	return outq_write(q, outq_write_fd, &fd);
}

/*
 * A single range goes by send(), which on a socket costs less than
 * writev() (no file layer, no iovec to copy in); write() if fd is not a
 * socket.
 */
ssize_t
outq_write_fd(void *arg, const struct iovec *iov, int n)
{
	int	fd = *(int *)arg;
	ssize_t	r;

	if (n != 1)
		return writev(fd, iov, n);
	r = send(fd, iov->iov_base, iov->iov_len, MSG_NOSIGNAL);
	if (r == -1 && errno == ENOTSOCK)
		r = write(fd, iov->iov_base, iov->iov_len);
	return r;
}

void
outq_clear(struct outq *q)
{
	while (q->count > 0) {
		block_unref(q->ring[q->head].b);
		q->head = (q->head + 1) & (q->size - 1);
		q->count--;
	}
	q->bytes = 0;
	release(q);
}

/* Doubles the ring, keeping the entries in order; -1 if out of memory. */
static int
ring_grow(struct outq *q)
{
	struct entry	*r;
	size_t		 size, i;

	size = q->size * 2;
	if (size > SIZE_MAX / sizeof(*r) || (r = malloc(size * sizeof(*r))) ==
	    NULL)
		return -1;
	for (i = 0; i < q->count; i++)
		r[i] = q->ring[(q->head + i) & (q->size - 1)];
	if (q->ring != q->inl)
		free(q->ring);
	q->ring = r;
	q->size = size;
	q->head = 0;
	return 0;
}

static struct entry *
ring_last(struct outq *q)
{
	if (q->count == 0)
		return NULL;
	return &q->ring[(q->head + q->count - 1) & (q->size - 1)];
}

/*
 * Queues a new entry for len bytes of b at off; -1 if out of memory.  Out
 * of line, so that outq_append_block() has no registers to save.
 */
static int __attribute__((noinline))
ring_add(struct outq *q, struct block *b, size_t off, size_t len)
{
	struct entry	*e;

	if (q->count == q->size && ring_grow(q) == -1)
		return -1;
	e = &q->ring[(q->head + q->count++) & (q->size - 1)];
	e->b = b;
	e->off = off;
	e->len = len;
	block_ref(b);
	q->bytes += len;
	return 0;
}

/*
 * Copies len bytes into block b and queues them, joining the last entry
 * when contiguous.  The caller has made room in b and in the ring.
 */
static int
queue_bytes(struct outq *q, struct block *b, const char *d, size_t len)
{
	ssize_t	off;

	off = block_append(b, d, len);
	return outq_append_block(q, b, (size_t)off, len);
}

/* Drops n written bytes from the front of the queue. */
static void
consume(struct outq *q, size_t n)
{
	struct entry	*e;

	q->bytes -= n;
	while (n > 0) {
		e = &q->ring[q->head];
		if (n < e->len) {
			e->off += n;
			e->len -= n;
			return;
		}
		n -= e->len;
		block_unref(e->b);
		q->head = (q->head + 1) & (q->size - 1);
		q->count--;
	}
}

/* Frees the storage of an empty queue, back to its inline ring. */
static void
release(struct outq *q)
{
	block_unref(q->tail);
	q->tail = NULL;
	if (q->ring != q->inl) {
		free(q->ring);
		q->ring = q->inl;
		q->size = OUTQ_INLINE;
	}
	q->head = q->count = 0;
}
