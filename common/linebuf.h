/*
 * linebuf.h: incremental line decoder; bytes go in, in any chunking,
 * and the same complete lines come out.
 */
#ifndef LINEBUF_H
#define LINEBUF_H

#include <stddef.h>

#define LINEBUF_MAXLINE	4096	/* default limit, bytes including the LF */

/* Flags for linebuf_new(). */
#define LINEBUF_TELNET	0x01	/* remove telnet IAC command sequences */

/*
 * The most bytes of a telnet sequence held while it may still prove to
 * be one (IAC SB and a subnegotiation of 64 bytes); they are pending, but
 * do not count against the limit until they prove to be data.
 */
#define LINEBUF_TNMAX	66

/* Results of linebuf_next(). */
#define LINEBUF_NONE	0	/* no complete line yet: feed more bytes */
#define LINEBUF_LINE	1	/* *line holds one complete line */
#define LINEBUF_TOOLONG	2	/* a line passed the limit; its rest is skipped */

struct linebuf;

/*
 * Returns a decoder for lines of at most maxline bytes including the LF,
 * reading through a buffer of bufsize bytes (at least maxline); NULL if
 * out of memory.  Storage is allocated when bytes arrive and released by
 * linebuf_trim() once nothing is pending.
 */
struct linebuf	*linebuf_new(size_t maxline, size_t bufsize, int flags);
void		 linebuf_free(struct linebuf *);

/*
 * Returns where up to *avail bytes may be written (by read(), say), to be
 * accepted with linebuf_commit(); *avail is 0 while the buffer is full of
 * lines not yet taken with linebuf_next().  NULL if out of memory.
 */
char		*linebuf_space(struct linebuf *, size_t *avail);
void		 linebuf_commit(struct linebuf *, size_t n);

/* Copies in as much of data as fits; returns the number of bytes taken. */
size_t		 linebuf_feed(struct linebuf *, const void *data, size_t len);

/*
 * Takes the next complete line: *line points at its bytes, without the
 * LF or a CR right before it, NUL-terminated, valid until the next call on
 * this decoder.  NUL bytes inside a line are dropped.  A line longer than
 * the limit is reported once as LINEBUF_TOOLONG and its bytes up to the
 * next LF are discarded as they arrive, never buffered.  The limit counts
 * every byte before the LF, a CR included, once NUL bytes (and telnet
 * commands) are removed.
 */
int		 linebuf_next(struct linebuf *, char **line, size_t *len);

/* Bytes held that are not yet taken as lines. */
size_t		 linebuf_pending(const struct linebuf *);

/*
 * True when linebuf_next() has something to give: a complete line, or the
 * report of a line that passed the limit.
 */
int		 linebuf_ready(const struct linebuf *);

/* Releases the buffer if nothing is pending. */
void		 linebuf_trim(struct linebuf *);

#endif /* LINEBUF_H */
