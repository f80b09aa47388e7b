/*
 * test_linebuf.c: the line decoder gives the same lines whatever the
 * chunking, enforces its limit without buffering, and strips telnet.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linebuf.h"

#define MAXEV	64
#define TOOLONG	"<TOOLONG>"	/* how a LINEBUF_TOOLONG shows in a list */

/* What a decoder produced: lines, and TOOLONG markers, in order. */
struct evs {
	char	*s[MAXEV];
	size_t	 len[MAXEV];
	int	 n;
	size_t	 pending;	/* bytes left when the input ended */
};

static void
evs_free(struct evs *e)
{
	while (e->n > 0)
		free(e->s[--e->n]);
}

/* Takes every line; a taken line is NUL-terminated, nothing stays ready. */
static void
drain(struct linebuf *lb, size_t maxline, struct evs *e)
{
	char	*line;
	size_t	 len;
	int	 r;

	while ((r = linebuf_next(lb, &line, &len)) != LINEBUF_NONE) {
		assert_true(e->n < MAXEV);
		if (r == LINEBUF_TOOLONG) {
			e->s[e->n] = strdup(TOOLONG);
			e->len[e->n] = strlen(TOOLONG);
		} else {
			assert_int_equal(r, LINEBUF_LINE);
			assert_true(len < maxline);
			assert_int_equal(line[len], '\0');
			e->s[e->n] = malloc(len + 1);
			memcpy(e->s[e->n], line, len + 1);
			e->len[e->n] = len;
		}
		e->n++;
	}
	assert_true(linebuf_pending(lb) < maxline);
	assert_false(linebuf_ready(lb));
}

/* Feeds in cut at the ncuts offsets in cuts, draining after each piece. */
static void
run_cuts(const char *in, size_t len, const size_t *cuts, int ncuts,
    size_t maxline, size_t bufsize, int flags, struct evs *e)
{
	struct linebuf	*lb;
	size_t		 off = 0, end, took;
	int		 i;

	memset(e, 0, sizeof(*e));
	lb = linebuf_new(maxline, bufsize, flags);
	assert_non_null(lb);
	for (i = 0; i <= ncuts; i++) {
		end = i < ncuts ? cuts[i] : len;
		while (off < end) {
			took = linebuf_feed(lb, in + off, end - off);
			assert_true(linebuf_pending(lb) <= bufsize);
			off += took;
			drain(lb, maxline, e);
		}
	}
	e->pending = linebuf_pending(lb);
	linebuf_free(lb);
}

/* Feeds in chunk bytes at a time. */
static void
run_chunked(const char *in, size_t len, size_t chunk, size_t maxline,
    size_t bufsize, int flags, struct evs *e)
{
	size_t	*cuts, n = 0, off;

	cuts = calloc(len / chunk + 1, sizeof(*cuts));
	for (off = chunk; off < len; off += chunk)
		cuts[n++] = off;
	run_cuts(in, len, cuts, (int)n, maxline, bufsize, flags, e);
	free(cuts);
}

/* Compares what came out with a NULL-terminated list of lines. */
static void
expect(const struct evs *e, const char *const *want, const size_t *wantlen)
{
	int	i;

	for (i = 0; want[i] != NULL; i++) {
		assert_true(i < e->n);
		assert_int_equal(e->len[i], wantlen != NULL ? wantlen[i] :
		    strlen(want[i]));
		assert_memory_equal(e->s[i], want[i], e->len[i]);
	}
	assert_int_equal(e->n, i);
}

static const char multi[] =
    "hello\r\nworld\n\nthird line\r\n\r\nn\0ul\0\nCR\rinside\n\r\r\nlast";
static const char *const multi_lines[] = {
	"hello", "world", "", "third line", "", "nul", "CR\rinside", "\r",
	NULL
};

static void
test_every_split(void **state)
{
	struct evs	e;
	size_t		cuts[2], len = sizeof(multi) - 1;

	(void)state;
	run_cuts(multi, len, NULL, 0, 4096, 4096, 0, &e);
	expect(&e, multi_lines, NULL);
	assert_int_equal(e.pending, 4);
	evs_free(&e);
	for (cuts[0] = 0; cuts[0] <= len; cuts[0]++) {
		for (cuts[1] = cuts[0]; cuts[1] <= len; cuts[1]++) {
			run_cuts(multi, len, cuts, 2, 4096, 4096, 0, &e);
			expect(&e, multi_lines, NULL);
			assert_int_equal(e.pending, 4);
			evs_free(&e);
		}
	}
}

static void
test_byte_at_a_time(void **state)
{
	struct evs	e;

	(void)state;
	run_chunked(multi, sizeof(multi) - 1, 1, 4096, 4096, 0, &e);
	expect(&e, multi_lines, NULL);
	evs_free(&e);
	/* A small limit and buffer take the same path as a big one. */
	run_chunked(multi, sizeof(multi) - 1, 1, 16, 16, 0, &e);
	expect(&e, multi_lines, NULL);
	evs_free(&e);
}

static void
test_space_commit(void **state)
{
	struct linebuf	*lb;
	char		*p, *line;
	size_t		 avail, len;

	(void)state;
	lb = linebuf_new(8, 8, 0);
	assert_int_equal(linebuf_pending(lb), 0);
	p = linebuf_space(lb, &avail);
	assert_non_null(p);
	assert_int_equal(avail, 8);
	memcpy(p, "ab\ncdefg", 8);
	linebuf_commit(lb, 8);
	/* Full of bytes not taken: no space until a line is taken. */
	linebuf_space(lb, &avail);
	assert_int_equal(avail, 0);
	assert_true(linebuf_ready(lb));
	assert_int_equal(linebuf_next(lb, &line, &len), LINEBUF_LINE);
	assert_string_equal(line, "ab");
	assert_false(linebuf_ready(lb));
	assert_int_equal(linebuf_pending(lb), 5);
	/* Taking the line made room; the partial line moved to the front. */
	p = linebuf_space(lb, &avail);
	assert_int_equal(avail, 3);
	memcpy(p, "\n", 1);
	linebuf_commit(lb, 1);
	assert_int_equal(linebuf_next(lb, &line, &len), LINEBUF_LINE);
	assert_string_equal(line, "cdefg");
	assert_int_equal(len, 5);
	assert_int_equal(linebuf_next(lb, &line, &len), LINEBUF_NONE);
	linebuf_free(lb);
}

/*
 * n line bytes (the last of them a CR when cr is set) before the LF,
 * then "next\n"; with maxline 4096 at most 4095 bytes may come before
 * the LF, the CR counted.
 */
struct longcase {
	size_t	n;
	int	cr;
	int	ok;
};

static const struct longcase longcases[] = {
	{ 4094, 0, 1 }, { 4095, 0, 1 }, { 4096, 0, 0 }, { 4097, 0, 0 },
	{ 4094, 1, 1 }, { 4095, 1, 1 }, { 4096, 1, 0 }, { 4097, 1, 0 },
	{ 9000, 0, 0 }, { 0, 0, 1 }, { 1, 1, 1 }
};

static void
test_long_lines(void **state)
{
	static const size_t	 chunks[] = { 1, 7, 1000, 4096, 100000 };
	static const size_t	 bufs[] = { 4096, 4097, 16384 };
	const struct longcase	*c;
	struct evs		 e;
	char			*in;
	size_t			 len, i, j, k;

	(void)state;
	for (i = 0; i < sizeof(longcases) / sizeof(longcases[0]); i++) {
		c = &longcases[i];
		in = malloc(c->n + 6);
		memset(in, 'a', c->n);
		if (c->cr)
			in[c->n - 1] = '\r';
		memcpy(in + c->n, "\nnext\n", 6);
		len = c->n + 6;
		for (j = 0; j < sizeof(chunks) / sizeof(chunks[0]); j++) {
			for (k = 0; k < sizeof(bufs) / sizeof(bufs[0]); k++) {
				run_chunked(in, len, chunks[j], 4096, bufs[k],
				    0, &e);
				assert_int_equal(e.n, 2);
				if (c->ok) {
					assert_int_equal(e.len[0],
					    c->n - (c->cr ? 1 : 0));
					assert_memory_equal(e.s[0], in,
					    e.len[0]);
				} else
					assert_string_equal(e.s[0], TOOLONG);
				assert_string_equal(e.s[1], "next");
				assert_int_equal(e.pending, 0);
				evs_free(&e);
			}
		}
		free(in);
	}
}

static void
test_nul(void **state)
{
	static const char *const want[] = { "ab", "", "xy", NULL };
	struct evs	 e;
	char		*in;

	(void)state;
	run_chunked("a\0b\n\0\nx\0\0y\n", 12, 1, 4096, 4096, 0, &e);
	expect(&e, want, NULL);
	evs_free(&e);
	/* Dropped NUL bytes do not count against the limit. */
	in = malloc(4095 + 100 + 1);
	memset(in, 'z', 4095);
	memset(in + 4095, '\0', 100);
	in[4195] = '\n';
	run_chunked(in, 4196, 512, 4096, 4096, 0, &e);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.len[0], 4095);
	evs_free(&e);
	free(in);
}

static void
test_empty_lines(void **state)
{
	static const char *const want[] = { "", "", "", " a", "", NULL };
	struct evs	e;

	(void)state;
	run_chunked("\n\r\n\n a\n\n", 9, 1, 4096, 4096, 0, &e);
	expect(&e, want, NULL);
	evs_free(&e);
}

/* Telnet input, what the decoder must make of it, at every split. */
struct tncase {
	const char	*in;
	size_t		 len;
	const char	*out;
	size_t		 outlen;
	int		 flags;
};

#define TN(in, out, flags) { in, sizeof(in) - 1, out, sizeof(out) - 1, flags }

static const struct tncase tncases[] = {
	TN("ab\xff\xf4" "cd\n", "abcd", LINEBUF_TELNET),	/* IAC IP */
	TN("\xff\xfb\x01hi\n", "hi", LINEBUF_TELNET),		/* WILL ECHO */
	TN("\xff\xfc\x01\xff\xfd\x22\xff\xfe\x03x\n", "x", LINEBUF_TELNET),
	TN("\xff\xfa\x18\x00xterm\xff\xf0ok\n", "ok", LINEBUF_TELNET),
	TN("\xff\xfa\x18\xff\xffz\xff\xf0ok\n", "ok", LINEBUF_TELNET),
	TN("\xff\xfa\x18\x01\xff\xf0\xff\xfb\x00ok\n", "ok",
	    LINEBUF_TELNET),				/* SB, WILL BINARY */
	/* Only RFC 854 sequences are telnet; other bytes are data. */
	TN("bad\xff" "end\n", "bad\xff" "end", LINEBUF_TELNET),
	TN("\xff\n", "\xff", LINEBUF_TELNET),
	TN("a\xff\xfb\n", "a\xff\xfb", LINEBUF_TELNET),	/* no option */
	TN("\xff\xfa\x18" "ab\xff" "cd\n", "\xff\xfa\x18" "ab\xff" "cd",
	    LINEBUF_TELNET),				/* IAC junk in SB */
	TN("\xff\xfa\x18\x00xterm\x00\n", "\xff\xfa\x18xterm",
	    LINEBUF_TELNET),				/* SB to a line end */
	TN("\xff\xffz\n", "\xffz", LINEBUF_TELNET),		/* IAC IAC */
	TN("a\xff\xf3\r\n", "a", LINEBUF_TELNET),		/* IAC BRK */
	TN("\xc3\xa9t\xc3\xa9\n", "\xc3\xa9t\xc3\xa9", LINEBUF_TELNET),
	TN("\xff\xf4" "a\n", "\xff\xf4" "a", 0),		/* not telnet */
};

static void
test_telnet(void **state)
{
	const struct tncase	*c;
	struct evs		 e;
	const char		*want[2] = { NULL, NULL };
	size_t			 cuts[2], i;

	(void)state;
	for (i = 0; i < sizeof(tncases) / sizeof(tncases[0]); i++) {
		c = &tncases[i];
		want[0] = c->out;
		for (cuts[0] = 0; cuts[0] <= c->len; cuts[0]++) {
			for (cuts[1] = cuts[0]; cuts[1] <= c->len;
			    cuts[1]++) {
				run_cuts(c->in, c->len, cuts, 2, 4096, 4096,
				    c->flags, &e);
				expect(&e, want, &c->outlen);
				evs_free(&e);
			}
		}
	}
}

/*
 * A subnegotiation that never ends is data once past its bound or a line
 * end: no later line is swallowed.
 */
static void
test_telnet_unended(void **state)
{
	static const char	 in[] = "paste \xff\xfa garbage\nsecond line\n"
				    "third line\n";
	const char		*want[] = { "paste \xff\xfa garbage",
				    "second line", "third line", NULL };
	struct evs		 e;
	char			 big[200];
	size_t			 chunk;

	(void)state;
	for (chunk = 1; chunk <= sizeof(in); chunk++) {
		run_chunked(in, sizeof(in) - 1, chunk, 4096, 4096,
		    LINEBUF_TELNET, &e);
		expect(&e, want, NULL);
		evs_free(&e);
	}
	/* 100 bytes of subnegotiation without IAC SE stay data. */
	memcpy(big, "\xff\xfa", 2);
	memset(big + 2, 'x', 100);
	memcpy(big + 102, "\xff\xf0!\n", 4);
	run_chunked(big, 106, 7, 4096, 4096, LINEBUF_TELNET, &e);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.len[0], 103);
	assert_memory_equal(e.s[0], big, 102);
	assert_int_equal(e.s[0][102], '!');
	evs_free(&e);
}

/* Bytes removed by telnet do not count against the limit. */
static void
test_telnet_limit(void **state)
{
	struct evs	 e;
	char		*in;
	size_t		 i;

	(void)state;
	in = malloc(4095 + 3 * 100 + 1);
	memset(in, 'q', 4095);
	for (i = 0; i < 100; i++)
		memcpy(in + 4095 + 3 * i, "\xff\xfd\x01", 3);
	in[4095 + 300] = '\n';
	run_chunked(in, 4396, 1000, 4096, 4096, LINEBUF_TELNET, &e);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.len[0], 4095);
	evs_free(&e);
	free(in);
}

/*
 * 10 MB without an LF, read the way a server reads: the decoder never
 * holds more than its limit once lines are taken, reports once, and the
 * line after decodes.
 */
static void
test_flood_bounded(void **state)
{
	static const size_t	 bufs[] = { 4096, 65536 };
	struct linebuf		*lb;
	char			*p, *line;
	size_t			 avail, fed, n, len, k;
	int			 r, toolong;

	(void)state;
	for (k = 0; k < 2; k++) {
		lb = linebuf_new(4096, bufs[k], 0);
		toolong = 0;
		for (fed = 0; fed < 10 * 1024 * 1024; fed += n) {
			p = linebuf_space(lb, &avail);
			assert_non_null(p);
			assert_true(avail > 0);
			n = avail < 1500 ? avail : 1500;
			memset(p, 'x', n);
			linebuf_commit(lb, n);
			assert_true(linebuf_pending(lb) <= bufs[k]);
			while ((r = linebuf_next(lb, &line, &len)) !=
			    LINEBUF_NONE) {
				assert_int_equal(r, LINEBUF_TOOLONG);
				toolong++;
			}
			assert_true(linebuf_pending(lb) < 4096);
		}
		assert_int_equal(toolong, 1);
		assert_int_equal(linebuf_feed(lb, "tail\nafter\n", 11), 11);
		assert_int_equal(linebuf_next(lb, &line, &len), LINEBUF_LINE);
		assert_string_equal(line, "after");
		assert_int_equal(linebuf_next(lb, &line, &len), LINEBUF_NONE);
		linebuf_free(lb);
	}
}

static void
test_ready_and_trim(void **state)
{
	struct linebuf	*lb;
	char		*line, *p;
	size_t		 len, avail;

	(void)state;
	lb = linebuf_new(16, 64, 0);
	assert_false(linebuf_ready(lb));
	linebuf_trim(lb);
	assert_int_equal(linebuf_feed(lb, "abc", 3), 3);
	assert_false(linebuf_ready(lb));
	/* Pending bytes survive a trim. */
	linebuf_trim(lb);
	assert_int_equal(linebuf_pending(lb), 3);
	assert_int_equal(linebuf_feed(lb, "\nde\n", 4), 4);
	assert_true(linebuf_ready(lb));
	assert_int_equal(linebuf_next(lb, &line, &len), LINEBUF_LINE);
	assert_string_equal(line, "abc");
	assert_true(linebuf_ready(lb));
	assert_int_equal(linebuf_next(lb, &line, &len), LINEBUF_LINE);
	assert_string_equal(line, "de");
	assert_false(linebuf_ready(lb));
	linebuf_trim(lb);
	assert_int_equal(linebuf_pending(lb), 0);
	/* After a trim the decoder starts over with a fresh buffer. */
	p = linebuf_space(lb, &avail);
	assert_non_null(p);
	assert_int_equal(avail, 64);
	/* A too-long line in waiting counts as ready: next() reports it. */
	assert_int_equal(linebuf_feed(lb, "0123456789abcdefgh", 18), 18);
	assert_true(linebuf_ready(lb));
	assert_int_equal(linebuf_next(lb, &line, &len), LINEBUF_TOOLONG);
	assert_false(linebuf_ready(lb));
	assert_int_equal(linebuf_feed(lb, "ij\nok\n", 6), 6);
	assert_int_equal(linebuf_next(lb, &line, &len), LINEBUF_LINE);
	assert_string_equal(line, "ok");
	linebuf_free(lb);
	linebuf_free(NULL);
}

/* A reader that stops taking lines fills the buffer and is then refused. */
static void
test_full_of_lines(void **state)
{
	struct linebuf	*lb;
	char		 in[4096 * 2], *line;
	size_t		 took, len, i;
	int		 n = 0;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = i % 8 == 7 ? '\n' : 'a' + i % 8;
	lb = linebuf_new(4096, 4096, 0);
	took = linebuf_feed(lb, in, sizeof(in));
	assert_int_equal(took, 4096);
	assert_int_equal(linebuf_feed(lb, in, sizeof(in)), 0);
	assert_true(linebuf_ready(lb));
	while (linebuf_next(lb, &line, &len) == LINEBUF_LINE) {
		assert_string_equal(line, "abcdefg");
		n++;
	}
	assert_int_equal(n, 4096 / 8);
	assert_int_equal(linebuf_feed(lb, in + took, sizeof(in) - took),
	    sizeof(in) - took);
	linebuf_free(lb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_byte_at_a_time),
		cmocka_unit_test(test_space_commit),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_empty_lines),
		cmocka_unit_test(test_telnet),
		cmocka_unit_test(test_telnet_limit),
		cmocka_unit_test(test_telnet_unended),
		cmocka_unit_test(test_flood_bounded),
		cmocka_unit_test(test_ready_and_trim),
		cmocka_unit_test(test_full_of_lines),
	};

	alarm(60);	/* a decoder that loops fails the suite */
	return cmocka_run_group_tests_name("linebuf", tests, NULL, NULL);
}
