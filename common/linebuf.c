/*
 * linebuf.c: incremental line decoder.  Bytes are cooked as they are
 * committed (telnet commands and NUL bytes removed, the rest of an
 * over-long line discarded), so the buffer only ever holds line bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"

#define IAC	255
#define DONT	254
#define DO	253
#define WONT	252
#define WILL	251
#define SB	250
#define SE	240

/* Telnet parser states, carried from one chunk to the next. */
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
};

static size_t	telnet_strip(struct linebuf *, unsigned char *, size_t);
static size_t	nul_strip(char *, size_t);
static size_t	skip_rest(struct linebuf *, char *, size_t);

struct linebuf *
linebuf_new(size_t maxline, size_t bufsize, int flags)
{
	struct linebuf	*lb;

	if ((lb = calloc(1, sizeof(*lb))) == NULL)
		return NULL;
	if (maxline < 2)
		maxline = LINEBUF_MAXLINE;
	lb->maxline = maxline;
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
		lb->start = 0;
	}
	*avail = lb->bufsize - lb->end;
	return lb->buf + lb->end;
}

void
linebuf_commit(struct linebuf *lb, size_t n)
{
	char	*p = lb->buf + lb->end;

	if (n == 0)
		return;
	if ((lb->flags & LINEBUF_TELNET) &&
	    (lb->tn != TN_DATA || memchr(p, IAC, n) != NULL))
		n = telnet_strip(lb, (unsigned char *)p, n);
	if (memchr(p, '\0', n) != NULL)
		n = nul_strip(p, n);
	if (lb->skipping)
		n = skip_rest(lb, p, n);
	lb->end += n;
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
		if (lb->end - lb->start < lb->maxline)
			return LINEBUF_NONE;
		/* Too long and still open: drop it, skip to its LF. */
		lb->start = lb->scan = lb->end;
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
	if (lb->end - lb->start >= lb->maxline)
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
	lb->start = lb->scan = lb->end = 0;
}

/* Removes telnet command sequences from p in place; returns the new length. */
static size_t
telnet_strip(struct linebuf *lb, unsigned char *p, size_t n)
{
	size_t	 i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char	c = p[i];

		switch (lb->tn) {
		case TN_DATA:
			if (c == IAC)
				lb->tn = TN_IAC;
			else
				p[o++] = c;
			break;
		case TN_IAC:
			if (c == IAC) {
				p[o++] = c;	/* IAC IAC: a literal 0xff */
				lb->tn = TN_DATA;
			} else if (c >= WILL && c <= DONT)
				lb->tn = TN_OPT;
			else if (c == SB)
				lb->tn = TN_SB;
			else
				lb->tn = TN_DATA;
			break;
		case TN_OPT:
			lb->tn = TN_DATA;
			break;
		case TN_SB:
			if (c == IAC)
				lb->tn = TN_SBIAC;
			break;
		case TN_SBIAC:
			lb->tn = c == SE ? TN_DATA : TN_SB;
			break;
		}
	}
	return o;
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
 * Discards the bytes of an over-long line up to and including its LF;
 * returns how many bytes of p remain, moved to its start.
 */
static size_t
skip_rest(struct linebuf *lb, char *p, size_t n)
{
	char	*lf;
	size_t	 keep;

	if ((lf = memchr(p, '\n', n)) == NULL)
		return 0;
	lb->skipping = 0;
	keep = n - (lf + 1 - p);
	memmove(p, lf + 1, keep);
	return keep;
}
