/*
 * test_outq.c: output queues over real sockets with small buffers, so
 * partial writes and EAGAIN happen; order, counts and sharing hold.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outq.h"

/*
 * The suite is linked with -Wl,--wrap=free: every free() of the library
 * passes here, so a test can tell when a block's last reference went.
 */
void	__real_free(void *);
void	__wrap_free(void *);

static const void	*watched;	/* a block to watch */
static int		 watched_freed;

void
__wrap_free(void *p)
{
	if (p != NULL && p == watched)
		watched_freed = 1;
	__real_free(p);
}

/* Watches b: freed() is true once it is freed. */
static void
watch(const struct block *b)
{
	watched = b;
	watched_freed = 0;
}

static int
freed(void)
{
	return watched_freed;
}

/* A byte stream: what was queued, or what arrived. */
struct stream {
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

static void
stream_add(struct stream *s, const void *p, size_t n)
{
	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 2;
		s->buf = realloc(s->buf, s->cap);
		assert_non_null(s->buf);
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

/* A connected pair: fds[0] written non-blocking with a small buffer. */
static void
pair(int fds[2], int sndbuf)
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	assert_int_equal(setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    sizeof(sndbuf)), 0);
	assert_int_equal(setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &sndbuf,
	    sizeof(sndbuf)), 0);
	assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
}

/* Reads whatever is waiting on fd. */
static void
slurp(int fd, struct stream *got)
{
	char	buf[65536];
	ssize_t	n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		stream_add(got, buf, (size_t)n);
	assert_true(n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

/*
 * Flushes q to fds[0] and reads fds[1] until q is empty; every flush
 * accounts exactly for the bytes it wrote.  Returns the flush calls that
 * left bytes queued (partial or would-block).
 */
static int
pump(struct outq *q, int fds[2], struct stream *got)
{
	size_t	before;
	ssize_t	n;
	int	turns, short_flushes = 0;

	for (turns = 0; outq_len(q) > 0; turns++) {
		assert_true(turns < 1000000);
		before = outq_len(q);
		n = outq_flush(q, fds[0]);
		assert_true(n >= 0);
		assert_int_equal(outq_len(q), before - (size_t)n);
		if (outq_len(q) > 0)
			short_flushes++;
		slurp(fds[1], got);
	}
	assert_int_equal(outq_flush(q, fds[0]), 0);
	slurp(fds[1], got);
	return short_flushes;
}

static void
test_block(void **state)
{
	struct block	*b;
	char		*t;

	(void)state;
	b = block_new(10);
	assert_non_null(b);
	watch(b);
	assert_int_equal(block_len(b), 0);
	assert_int_equal(block_avail(b), 10);
	assert_int_equal(block_append(b, "abcd", 4), 0);
	assert_int_equal(block_append(b, "efgh", 4), 4);
	assert_int_equal(block_append(b, "ijk", 3), -1);
	assert_int_equal(block_len(b), 8);
	t = block_tail(b);
	memcpy(t, "ij", 2);
	block_commit(b, 2);
	assert_int_equal(block_len(b), 10);
	assert_int_equal(block_avail(b), 0);
	assert_int_equal(block_append(b, "", 0), 10);
	assert_int_equal(block_append(b, "x", 1), -1);
	assert_memory_equal(t - 8, "abcdefghij", 10);
	block_ref(b);
	block_unref(b);
	assert_false(freed());
	assert_memory_equal(t - 8, "abcdefghij", 10);
	block_unref(b);
	assert_true(freed());
	block_unref(NULL);
}

/*
 * Thousands of small appends of varied sizes, some copied and some from
 * shared blocks, through a small socket buffer: the bytes arrive in order,
 * and writes are partial along the way.
 */
static void
test_order_partial(void **state)
{
	struct stream	 want = { 0 }, got = { 0 };
	struct outq	*q;
	struct block	*b = NULL;
	char		 rec[300];
	int		 fds[2], i, n, kind;
	ssize_t		 off;

	(void)state;
	srand(42);
	pair(fds, 4096);
	q = outq_new();
	assert_non_null(q);
	assert_int_equal(outq_len(q), 0);
	for (i = 0; i < 20000; i++) {
		n = snprintf(rec, sizeof(rec), "%d:", i);
		n += rand() % 200;
		memset(rec + strlen(rec), 'a' + i % 26, n - strlen(rec));
		rec[n++] = '\n';
		kind = rand() % 3;
		if (kind == 0)
			assert_int_equal(outq_append(q, rec, n), 0);
		else {
			if (b == NULL || block_avail(b) < (size_t)n) {
				block_unref(b);
				b = block_new(1024);
			}
			off = block_append(b, rec, n);
			assert_true(off >= 0);
			assert_int_equal(outq_append_block(q, b, off, n), 0);
		}
		stream_add(&want, rec, n);
		assert_int_equal(outq_len(q), want.len);
	}
	block_unref(b);
	assert_true(pump(q, fds, &got) > 0);
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.buf, want.buf, want.len);
	assert_int_equal(outq_len(q), 0);
	outq_free(q);
	close(fds[0]);
	close(fds[1]);
	free(want.buf);
	free(got.buf);
}

/* A full socket: flush writes nothing, keeps everything, reports 0. */
static void
test_eagain(void **state)
{
	struct stream	 got = { 0 };
	struct outq	*q;
	char		 big[200000];
	int		 fds[2];
	ssize_t		 n;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + i / 251);
	pair(fds, 4096);
	q = outq_new();
	assert_int_equal(outq_append(q, big, sizeof(big)), 0);
	n = outq_flush(q, fds[0]);
	assert_true(n > 0 && (size_t)n < sizeof(big));
	assert_int_equal(outq_len(q), sizeof(big) - (size_t)n);
	assert_int_equal(outq_flush(q, fds[0]), 0);
	assert_int_equal(outq_len(q), sizeof(big) - (size_t)n);
	pump(q, fds, &got);
	assert_int_equal(got.len, sizeof(big));
	assert_memory_equal(got.buf, big, sizeof(big));
	outq_free(q);
	close(fds[0]);
	close(fds[1]);
	free(got.buf);
}

/*
 * One broadcast block queued on several queues: each gets the bytes, the
 * block can grow while queued, and each queue lets go of it as it drains.
 */
static void
test_shared_block(void **state)
{
	struct stream	 got[3] = { { 0 } };
	struct outq	*q[3];
	struct block	*b;
	int		 fds[3][2], i;
	ssize_t		 off;

	(void)state;
	b = block_new(64);
	off = block_append(b, "one broadcast\n", 14);
	for (i = 0; i < 3; i++) {
		pair(fds[i], 4096);
		q[i] = outq_new();
		assert_int_equal(outq_append(q[i], "hi\n", 3), 0);
		assert_int_equal(outq_append_block(q[i], b, off, 14), 0);
	}
	/* Contiguous bytes join the entry. */
	off = block_append(b, "two\n", 4);
	assert_int_equal(off, 14);
	assert_int_equal(outq_append_block(q[0], b, off, 4), 0);
	assert_int_equal(outq_len(q[0]), 3 + 14 + 4);
	/* A later, separate piece of the same block is its own entry. */
	assert_int_equal(outq_append(q[1], "mid\n", 4), 0);
	assert_int_equal(outq_append_block(q[1], b, 0, 4), 0);
	/* The block lives while any queue holds it, and no longer. */
	watch(b);
	block_unref(b);
	for (i = 0; i < 3; i++) {
		assert_false(freed());
		pump(q[i], fds[i], &got[i]);
	}
	assert_true(freed());
	assert_int_equal(got[0].len, 21);
	assert_memory_equal(got[0].buf, "hi\none broadcast\ntwo\n", 21);
	assert_int_equal(got[1].len, 25);
	assert_memory_equal(got[1].buf, "hi\none broadcast\nmid\none ", 25);
	assert_int_equal(got[2].len, 17);
	assert_memory_equal(got[2].buf, "hi\none broadcast\n", 17);
	for (i = 0; i < 3; i++) {
		outq_free(q[i]);
		close(fds[i][0]);
		close(fds[i][1]);
		free(got[i].buf);
	}
}

/* Draining releases references at once, not when the queue is freed. */
static void
test_release_on_drain(void **state)
{
	struct stream	 got = { 0 };
	struct outq	*q;
	struct block	*b;
	int		 fds[2];

	(void)state;
	pair(fds, 65536);
	b = block_new(16);
	block_append(b, "0123456789", 10);
	q = outq_new();
	assert_int_equal(outq_append_block(q, b, 0, 5), 0);
	assert_int_equal(outq_append(q, "--", 2), 0);
	assert_int_equal(outq_append_block(q, b, 5, 5), 0);
	assert_int_equal(outq_flush(q, fds[0]), 12);
	assert_int_equal(outq_len(q), 0);
	/* The queue holds nothing: its owner's unref frees the block. */
	watch(b);
	block_unref(b);
	assert_true(freed());
	/* The drained queue works as new; a clear lets go too. */
	b = block_new(16);
	block_append(b, "0123456789", 10);
	assert_int_equal(outq_append_block(q, b, 2, 3), 0);
	outq_clear(q);
	assert_int_equal(outq_len(q), 0);
	assert_int_equal(outq_flush(q, fds[0]), 0);
	assert_int_equal(outq_append(q, "end", 3), 0);
	/* Pieces of one block that do not touch stay apart. */
	assert_int_equal(outq_append_block(q, b, 0, 2), 0);
	assert_int_equal(outq_append_block(q, b, 6, 2), 0);
	assert_int_equal(outq_append_block(q, b, 8, 1), 0);
	watch(b);
	block_unref(b);
	assert_false(freed());
	pump(q, fds, &got);
	assert_true(freed());
	assert_int_equal(got.len, 20);
	assert_memory_equal(got.buf, "01234--56789end01678", 20);
	outq_free(q);
	outq_free(NULL);
	close(fds[0]);
	close(fds[1]);
	free(got.buf);
}

/* More entries than one writev() takes, none of them joinable. */
static void
test_many_entries(void **state)
{
	struct stream	 want = { 0 }, got = { 0 };
	struct outq	*q;
	struct block	*b[2];
	int		 fds[2], i;
	char		 c;

	(void)state;
	pair(fds, 1 << 20);
	b[0] = block_new(26);
	b[1] = block_new(26);
	block_append(b[0], "abcdefghijklmnopqrstuvwxyz", 26);
	block_append(b[1], "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 26);
	q = outq_new();
	for (i = 0; i < 5000; i++) {
		assert_int_equal(outq_append_block(q, b[i % 2], i % 26, 1), 0);
		c = (i % 2 ? 'A' : 'a') + i % 26;
		stream_add(&want, &c, 1);
	}
	assert_int_equal(outq_len(q), 5000);
	pump(q, fds, &got);
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.buf, want.buf, want.len);
	/* Every entry gave its reference back. */
	watch(b[0]);
	block_unref(b[0]);
	assert_true(freed());
	block_unref(b[1]);
	outq_free(q);
	close(fds[0]);
	close(fds[1]);
	free(want.buf);
	free(got.buf);
}

/* A closed peer is a real error: -1 and EPIPE (SIGPIPE is ignored). */
static void
test_write_error(void **state)
{
	struct outq	*q;
	int		 fds[2];

	(void)state;
	pair(fds, 4096);
	close(fds[1]);
	q = outq_new();
	assert_int_equal(outq_append(q, "lost\n", 5), 0);
	errno = 0;
	assert_int_equal(outq_flush(q, fds[0]), -1);
	assert_int_equal(errno, EPIPE);
	assert_int_equal(outq_len(q), 5);
	outq_free(q);
	close(fds[0]);
}

/* Appends of every size around the tail block's, copied in order. */
static void
test_append_sizes(void **state)
{
	static const size_t	 sizes[] = { 1, 4095, 1, 4096, 4097, 3, 100000,
	    2, 8191, 0, 5 };
	struct stream		 want = { 0 }, got = { 0 };
	struct outq		*q;
	char			*p;
	size_t			 i, j;
	int			 fds[2];

	(void)state;
	pair(fds, 8192);
	q = outq_new();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = malloc(sizes[i] + 1);
		for (j = 0; j < sizes[i]; j++)
			p[j] = (char)(i * 31 + j);
		assert_int_equal(outq_append(q, p, sizes[i]), 0);
		stream_add(&want, p, sizes[i]);
		free(p);
		assert_int_equal(outq_len(q), want.len);
	}
	pump(q, fds, &got);
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.buf, want.buf, want.len);
	outq_free(q);
	close(fds[0]);
	close(fds[1]);
	free(want.buf);
	free(got.buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block),
		cmocka_unit_test(test_order_partial),
		cmocka_unit_test(test_eagain),
		cmocka_unit_test(test_shared_block),
		cmocka_unit_test(test_release_on_drain),
		cmocka_unit_test(test_many_entries),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_append_sizes),
	};

	signal(SIGPIPE, SIG_IGN);
	alarm(60);	/* a flush that spins fails the suite */
	return cmocka_run_group_tests_name("outq", tests, NULL, NULL);
}
