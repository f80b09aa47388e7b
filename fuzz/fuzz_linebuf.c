/*
 * fuzz_linebuf.c: the line decoder fed in chunkings chosen by the input.
 * Whatever the chunking, the same lines and too-long reports come out as
 * when the whole stream is fed at once, and the same as a plain model of
 * the rules computes; no line passes the limit, and linebuf_ready()
 * agrees with linebuf_next().
 *
 * Input: a header, then the stream.
 *	h[0]	bit 0: telnet stripping; bits 1-2: the limit (small, up to
 *		257, the server's PROTO_MAXLINE, the client's PROTO_MAXFRAME)
 *	h[1]	the small limits
 *	h[2]	the buffer size as a multiple of the limit
 *	h[3]	how many chunk sizes follow (0 to 15), used in turn; the high
 *		bit of a size feeds through linebuf_space()/commit() and
 *		trims between chunks instead of using linebuf_feed()
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "linebuf.h"
#include "proto.h"

#define HDR	4

/* What came out: a record of events, to compare one run with another. */
struct log {
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

struct cfg {
	size_t		 maxline;
	size_t		 bufsize;
	int		 flags;
	const uint8_t	*chunks;
	size_t		 nchunks;
};

static void	log_add(struct log *, int, const char *, size_t);
static int	log_eq(const struct log *, const struct log *);
static void	drain(struct linebuf *, const struct cfg *, struct log *);
static void	run_chunked(const struct cfg *, const uint8_t *, size_t,
		    struct log *);
static void	run_whole(const struct cfg *, const uint8_t *, size_t,
		    struct log *);
static void	run_model(const struct cfg *, const uint8_t *, size_t,
		    struct log *);
static size_t	cook(const struct cfg *, const uint8_t *, size_t, char *,
		    size_t *);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg	 c;
	struct log	 chunked = { 0 }, whole = { 0 }, model = { 0 };
	static const size_t limits[] = { 0, 0, PROTO_MAXLINE, PROTO_MAXFRAME };

	if (size < HDR)
		return 0;
	memset(&c, 0, sizeof(c));
	c.flags = (data[0] & 1) ? LINEBUF_TELNET : 0;
	c.maxline = limits[(data[0] >> 1) & 3];
	if (c.maxline == 0)
		c.maxline = 2 + data[1] % (((data[0] >> 1) & 3) ? 256 : 16);
	c.bufsize = c.maxline * (data[2] % 4);	/* 0: the limit itself */
	c.nchunks = data[3] % 16;
	if (size < HDR + c.nchunks)
		return 0;
	c.chunks = data + HDR;
	data += HDR + c.nchunks;
	size -= HDR + c.nchunks;

	run_chunked(&c, data, size, &chunked);
	run_whole(&c, data, size, &whole);
	run_model(&c, data, size, &model);
	FUZZ_CHECK(log_eq(&chunked, &whole));
	FUZZ_CHECK(log_eq(&model, &whole));
	free(chunked.buf);
	free(whole.buf);
	free(model.buf);
	return 0;
}

/* An event: 'L' and the line's bytes, or 'T' for a too-long report. */
static void
log_add(struct log *lg, int what, const char *line, size_t len)
{
	size_t	need = lg->len + 1 + sizeof(len) + len;

	if (need > lg->cap) {
		lg->cap = need * 2;
		if ((lg->buf = realloc(lg->buf, lg->cap)) == NULL)
			abort();
	}
	lg->buf[lg->len++] = (char)what;
	memcpy(lg->buf + lg->len, &len, sizeof(len));
	lg->len += sizeof(len);
	if (len > 0)
		memcpy(lg->buf + lg->len, line, len);
	lg->len += len;
}

static int
log_eq(const struct log *a, const struct log *b)
{
	return a->len == b->len &&
	    (a->len == 0 || memcmp(a->buf, b->buf, a->len) == 0);
}

/* Takes every line there is, checking each against the limit. */
static void
drain(struct linebuf *lb, const struct cfg *c, struct log *lg)
{
	char	*line;
	size_t	 len;
	int	 ready, r;

	for (;;) {
		ready = linebuf_ready(lb);
		r = linebuf_next(lb, &line, &len);
		FUZZ_CHECK(ready == (r != LINEBUF_NONE));
		if (r == LINEBUF_NONE)
			break;
		if (r == LINEBUF_TOOLONG) {
			log_add(lg, 'T', NULL, 0);
			continue;
		}
		FUZZ_CHECK(r == LINEBUF_LINE);
		FUZZ_CHECK(len < c->maxline);
		FUZZ_CHECK(line[len] == '\0');
		FUZZ_CHECK(memchr(line, '\n', len) == NULL);
		FUZZ_CHECK(memchr(line, '\0', len) == NULL);
		log_add(lg, 'L', line, len);
	}
	/*
	 * What is left is an incomplete line short of the limit, and maybe
	 * a telnet sequence not yet complete.
	 */
	FUZZ_CHECK(linebuf_pending(lb) < c->maxline +
	    ((c->flags & LINEBUF_TELNET) ? LINEBUF_TNMAX : 0));
}

static void
run_chunked(const struct cfg *c, const uint8_t *data, size_t size,
    struct log *lg)
{
	struct linebuf	*lb;
	size_t		 done = 0, k = 0, want, n, avail;
	uint8_t		 spec;
	char		*p;

	if ((lb = linebuf_new(c->maxline, c->bufsize, c->flags)) == NULL)
		abort();
	while (done < size) {
		spec = c->nchunks > 0 ? c->chunks[k++ % c->nchunks] : 0x7f;
		want = (spec & 0x7f) + 1;
		if (want > size - done)
			want = size - done;
		if (spec & 0x80) {
			p = linebuf_space(lb, &avail);
			FUZZ_CHECK(p != NULL && avail > 0);
			n = want < avail ? want : avail;
			memcpy(p, data + done, n);
			linebuf_commit(lb, n);
		} else
			n = linebuf_feed(lb, data + done, want);
		/* A drained decoder always has room. */
		FUZZ_CHECK(n > 0);
		done += n;
		drain(lb, c, lg);
		if (spec & 0x80)
			linebuf_trim(lb);
	}
	linebuf_free(lb);
}

/* The whole stream at once, taking lines only when the buffer is full. */
static void
run_whole(const struct cfg *c, const uint8_t *data, size_t size,
    struct log *lg)
{
	struct linebuf	*lb;
	size_t		 done = 0, n;

	if ((lb = linebuf_new(c->maxline, c->bufsize, c->flags)) == NULL)
		abort();
	while (done < size) {
		n = linebuf_feed(lb, data + done, size - done);
		done += n;
		drain(lb, c, lg);
		FUZZ_CHECK(n > 0);
	}
	drain(lb, c, lg);
	linebuf_free(lb);
}

/*
 * The rules as the header states them: telnet commands and NUL bytes go,
 * then the stream splits at LF; a line of maxline bytes or more is too
 * long, as is an unfinished one that has reached it (a telnet sequence
 * still open at its end not counted); one CR before the LF goes.
 */
static void
run_model(const struct cfg *c, const uint8_t *data, size_t size,
    struct log *lg)
{
	char	*s, *lf;
	size_t	 len, pos = 0, n, tent;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	len = cook(c, data, size, s, &tent);
	while (pos < len) {
		if ((lf = memchr(s + pos, '\n', len - pos)) == NULL) {
			if (len - pos - tent >= c->maxline)
				log_add(lg, 'T', NULL, 0);
			break;
		}
		n = lf - (s + pos);
		if (n >= c->maxline)
			log_add(lg, 'T', NULL, 0);
		else
			log_add(lg, 'L', s + pos,
			    n > 0 && s[pos + n - 1] == '\r' ? n - 1 : n);
		pos += n + 1;
	}
	free(s);
}

/* The telnet parser's states, for cook(). */
enum { DATA, IAC, OPT, SB, SBIAC };

/*
 * Telnet as RFC 854 has it: IAC IAC is a 0xff byte; IAC and a command
 * byte 240-249 go, IAC WILL/WONT/DO/DONT with its option, and IAC SB up
 * to IAC SE.  Anything else is data, the IAC included: IAC and a byte
 * below 240, a sequence cut by LF, a subnegotiation past 64 bytes or
 * with IAC and junk in it.  NUL bytes go.  The bytes of a sequence still
 * open at the end are data, and their number goes to *tent.
 */
static size_t
cook(const struct cfg *c, const uint8_t *in, size_t len, char *out,
    size_t *tent)
{
	char	seq[LINEBUF_TNMAX + 1];
	size_t	i, o = 0, nseq = 0, sbn = 0;
	int	st = DATA, b;

	for (i = 0; i < len; i++) {
		b = in[i];
		if (!(c->flags & LINEBUF_TELNET)) {
			if (b != 0)
				out[o++] = (char)b;
			continue;
		}
		switch (st) {
		case IAC:
			if (b == 255) {
				out[o++] = (char)0xff;
				st = DATA;
			} else if (b >= 250) {
				seq[nseq++] = (char)b;
				st = b == 250 ? SB : OPT;
				sbn = 0;
			} else if (b >= 240)
				st = DATA;
			else {
				memcpy(out + o, seq, nseq);
				o += nseq;
				st = DATA;
				goto data;
			}
			continue;
		case OPT:
			st = DATA;
			if (b == '\n') {
				memcpy(out + o, seq, nseq);
				o += nseq;
				out[o++] = '\n';
			}
			continue;
		case SB:
		case SBIAC:
			if (b == '\n' || ++sbn > LINEBUF_TNMAX - 2 ||
			    (st == SBIAC && b != 240 && b != 255)) {
				memcpy(out + o, seq, nseq);
				o += nseq;
				st = DATA;
				goto data;
			}
			if (st == SBIAC && b == 240) {
				st = DATA;
				continue;
			}
			if (b != 0)
				seq[nseq++] = (char)b;
			st = st == SB && b == 255 ? SBIAC : SB;
			continue;
		}
data:
		if (b == 255) {
			seq[0] = (char)b;
			nseq = 1;
			st = IAC;
		} else if (b != 0)
			out[o++] = (char)b;
	}
	*tent = 0;
	if (st != DATA) {
		memcpy(out + o, seq, nseq);
		o += nseq;
		*tent = nseq;
	}
	return o;
}
