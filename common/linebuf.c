/*
 * linebuf.c: incremental line decoder.  Bytes are cooked as they are
 * committed (telnet commands and NUL bytes removed, the rest of an
 * over-long line discarded), so the buffer only ever holds line bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"

#define IAC	255
#define WILL	251
#define SB	250
#define SE	240
#define TN_SBMAX	(LINEBUF_TNMAX - 2)	/* past it, data */

/*
 * Telnet parser states, carried from one chunk to the next.  Outside
 * TN_DATA the bytes of a sequence are kept in the buffer from seq_at on
 * as data, and removed once the sequence proves to be telnet (RFC 854:
 * IAC and a command byte 240-254, or IAC IAC); anything else, a line
 * end, or a subnegotiation past TN_SBMAX leaves them there as data.
 */
enum tn_state {
	TN_DATA,		/* plain bytes */
	TN_IAC,			/* after IAC */
	TN_OPT,			/* after IAC WILL/WONT/DO/DONT: the option */
	TN_SB,			/* inside IAC SB ... IAC SE */
	TN_SBIAC		/* after IAC inside a subnegotiation */
};

/*
 * The buffer holds [start, end): lines not yet taken, then the start of
 * an incomplete line.  No LF lies in [start, scan), so a long line fed a
 * byte at a time is searched once.  The limit counts every byte before
 * the LF, a CR included, once NUL bytes and telnet commands are gone.
 */
struct linebuf {
	char		*buf;
	size_t		 bufsize;
	size_t		 maxline;
	size_t		 start;
	size_t		 scan;
	size_t		 end;
	int		 flags;
	int		 skipping;	/* discarding up to the next LF */
	enum tn_state	 tn;
	size_t		 seq_at;	/* where a telnet sequence began */
	size_t		 sblen;		/* bytes of a subnegotiation so far */
};

static size_t	telnet_cook(struct linebuf *, size_t);
static void	telnet_byte(struct linebuf *, unsigned char *, unsigned char,
		    size_t *);
static void	telnet_sb(struct linebuf *, unsigned char *, unsigned char,
		    size_t *);
static void	data_byte(struct linebuf *, unsigned char *, unsigned char,
		    size_t *);
static size_t	nul_strip(char *, size_t);
static size_t	skip_rest(struct linebuf *, size_t);
static size_t	tentative(const struct linebuf *);

struct linebuf *
linebuf_new(size_t maxline, size_t bufsize, int flags)
{
	struct linebuf	*lb;

	if ((lb = calloc(1, sizeof(*lb))) == NULL)
		return NULL;
	if (maxline < 2)
		maxline = LINEBUF_MAXLINE;
	lb->maxline = maxline;
	/* Room for a whole line and a telnet sequence after it. */
	if (flags & LINEBUF_TELNET)
		maxline += LINEBUF_TNMAX;
	lb->bufsize = bufsize < maxline ? maxline : bufsize;
	lb->flags = flags;
	lb->tn = TN_DATA;
	return lb;
}

void
linebuf_free(struct linebuf *lb)
{
	if (lb == NULL)
		return;
	free(lb->buf);
	free(lb);
}

char *
linebuf_space(struct linebuf *lb, size_t *avail)
{
	if (lb->buf == NULL) {
		if ((lb->buf = malloc(lb->bufsize)) == NULL) {
			*avail = 0;
			return NULL;
		}
		lb->start = lb->scan = lb->end = 0;
	}
	if (lb->start > 0) {
		memmove(lb->buf, lb->buf + lb->start, lb->end - lb->start);
		lb->end -= lb->start;
		lb->scan -= lb->start;
		lb->seq_at -= lb->seq_at >= lb->start ? lb->start : lb->seq_at;
		lb->start = 0;
	}
	*avail = lb->bufsize - lb->end;
	return lb->buf + lb->end;
}

void
linebuf_commit(struct linebuf *lb, size_t n)
{
	char	*p = lb->buf + lb->end;
	size_t	 from = lb->end;

	if (n == 0)
		return;
	if ((lb->flags & LINEBUF_TELNET) && (lb->tn != TN_DATA ||
	    memchr(p, IAC, n) != NULL || memchr(p, '\0', n) != NULL))
		from = telnet_cook(lb, n);
	else {
		if (memchr(p, '\0', n) != NULL)
			n = nul_strip(p, n);
		lb->end += n;
	}
	if (lb->skipping)
		lb->end = from + skip_rest(lb, from);
	/* Telnet may have removed bytes that were searched already. */
	if (lb->scan > from)
		lb->scan = from;
}

size_t
linebuf_feed(struct linebuf *lb, const void *data, size_t len)
{
	const char	*d = data;
	size_t		 done = 0, avail, n;
	char		*p;

	while (done < len) {
		if ((p = linebuf_space(lb, &avail)) == NULL || avail == 0)
			break;
		n = len - done < avail ? len - done : avail;
		memcpy(p, d + done, n);
		linebuf_commit(lb, n);
		done += n;
	}
	return done;
}

int
linebuf_next(struct linebuf *lb, char **line, size_t *len)
{
	char	*lf;
	size_t	 n;

	if (lb->buf == NULL || lb->start == lb->end)
		return LINEBUF_NONE;
	lf = memchr(lb->buf + lb->scan, '\n', lb->end - lb->scan);
	if (lf == NULL) {
		lb->scan = lb->end;
		if (lb->end - lb->start - tentative(lb) < lb->maxline)
			return LINEBUF_NONE;
		/* Too long and still open: drop it, skip to its LF. */
		lb->start = lb->scan = lb->seq_at = lb->end;
		lb->skipping = 1;
		return LINEBUF_TOOLONG;
	}
	*line = lb->buf + lb->start;
	n = lf - *line;
	lb->start = lb->scan = n + lb->start + 1;
	if (n > lb->maxline - 1)
		return LINEBUF_TOOLONG;	/* complete, but too long */
	if (n > 0 && (*line)[n - 1] == '\r')
		n--;
	(*line)[n] = '\0';
	*len = n;
	return LINEBUF_LINE;
}

size_t
linebuf_pending(const struct linebuf *lb)
{
	return lb->end - lb->start;
}

int
linebuf_ready(const struct linebuf *lb)
{
	if (lb->buf == NULL || lb->start == lb->end)
		return 0;
	if (lb->end - lb->start - tentative(lb) >= lb->maxline)
		return 1;	/* a line, or a too-long report */
	return memchr(lb->buf + lb->scan, '\n', lb->end - lb->scan) != NULL;
}

void
linebuf_trim(struct linebuf *lb)
{
	if (lb->buf == NULL || lb->start != lb->end)
		return;
	free(lb->buf);
	lb->buf = NULL;
	lb->start = lb->scan = lb->end = lb->seq_at = 0;
}

/* Bytes at the end that may yet prove to be a telnet sequence. */
static size_t
tentative(const struct linebuf *lb)
{
	return lb->tn != TN_DATA ? lb->end - lb->seq_at : 0;
}

/*
 * Cooks the n bytes just read at end in place: telnet sequences and NUL
 * bytes go.  Output never passes input, as the bytes of a sequence are
 * only ever removed.  Returns the lowest offset written, where new data
 * begins; end is set past the last byte kept.
 */
static size_t
telnet_cook(struct linebuf *lb, size_t n)
{
	unsigned char	*b = (unsigned char *)lb->buf;
	size_t		 i, stop = lb->end + n, o = lb->end, low = lb->end;

	for (i = lb->end; i < stop; i++) {
		telnet_byte(lb, b, b[i], &o);
		if (o < low)
			low = o;
	}
	lb->end = o;
	return low;
}

/* Writes a byte at *o: a NUL goes, an IAC may begin a sequence. */
static void
data_byte(struct linebuf *lb, unsigned char *b, unsigned char c, size_t *o)
{
	if (c == '\0')
		return;
	if (c == IAC) {
		lb->seq_at = *o;
		lb->tn = TN_IAC;
	}
	b[(*o)++] = c;
}

/* One byte through the telnet parser. */
static void
telnet_byte(struct linebuf *lb, unsigned char *b, unsigned char c,
    size_t *o)
{
	switch (lb->tn) {
	case TN_DATA:
		data_byte(lb, b, c, o);
		return;
	case TN_IAC:
		if (c == IAC) {		/* IAC IAC: one 0xff of data */
			*o = lb->seq_at + 1;
			lb->tn = TN_DATA;
		} else if (c >= WILL) {	/* WILL WONT DO DONT: an option */
			b[(*o)++] = c;
			lb->tn = TN_OPT;
		} else if (c == SB) {
			b[(*o)++] = c;
			lb->sblen = 0;
			lb->tn = TN_SB;
		} else if (c >= SE) {	/* a command of its own */
			*o = lb->seq_at;
			lb->tn = TN_DATA;
		} else {		/* not telnet: IAC was data */
			lb->tn = TN_DATA;
			data_byte(lb, b, c, o);
		}
		return;
	case TN_OPT:
		lb->tn = TN_DATA;
		if (c == '\n')
			b[(*o)++] = c;
		else
			*o = lb->seq_at;
		return;
	case TN_SB:
	case TN_SBIAC:
		telnet_sb(lb, b, c, o);
		return;
	}
}

/* A byte inside a subnegotiation, or after an IAC there. */
static void
telnet_sb(struct linebuf *lb, unsigned char *b, unsigned char c, size_t *o)
{
	if (c == '\n' || ++lb->sblen > TN_SBMAX) {
		/* Unbounded or across lines: it was data after all. */
		lb->tn = TN_DATA;
		data_byte(lb, b, c, o);
	} else if (lb->tn == TN_SBIAC && c == SE) {
		*o = lb->seq_at;
		lb->tn = TN_DATA;
	} else if (lb->tn == TN_SBIAC && c != IAC) {
		lb->tn = TN_DATA;	/* IAC then junk: not telnet */
		data_byte(lb, b, c, o);
	} else {
		lb->tn = c == IAC && lb->tn == TN_SB ? TN_SBIAC : TN_SB;
		if (c != '\0')
			b[(*o)++] = c;
	}
}

/* Removes NUL bytes from p in place; returns the new length. */
static size_t
nul_strip(char *p, size_t n)
{
	size_t	i, o = 0;

	for (i = 0; i < n; i++) {
		if (p[i] != '\0')
			p[o++] = p[i];
	}
	return o;
}

/*
 * Discards the bytes of an over-long line from offset from up to and
 * including its LF; returns how many bytes remain, moved to from.
 */
static size_t
skip_rest(struct linebuf *lb, size_t from)
{
	char	*p = lb->buf + from, *lf;
	size_t	 n = lb->end - from, cut;

	if ((lf = memchr(p, '\n', n)) == NULL) {
		lb->seq_at = from;
		return 0;
	}
	lb->skipping = 0;
	cut = lf + 1 - p;
	memmove(p, lf + 1, n - cut);
	if (lb->tn != TN_DATA)
		lb->seq_at -= cut;
	return n - cut;
}
