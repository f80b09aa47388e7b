/*
 * scrollback.h: the message history as a model: a bounded ring of lines,
 * one allocation each (a small header and the line's own bytes); it never
 * draws.
 */
#ifndef SCROLLBACK_H
#define SCROLLBACK_H

#include <stddef.h>
#include <stdint.h>

#define SB_DEFAULT_LINES	10000

/* Flags of a line, set by whoever adds it. */
#define SB_OWN		0x01	/* said by this client */
#define SB_MENTION	0x02	/* mentions this client's nick */
#define SB_REPLAY	0x04	/* history replayed by the server */

/* What a line is; the view and /save show each kind in its own way. */
enum sb_kind {
	SB_MSG,			/* <nick> text */
	SB_ACT,			/* * nick text */
	SB_PRIV,		/* *nick* text, a private message to us */
	SB_PRIVTO,		/* -> *nick* text, our private message */
	SB_EVENT,		/* joins, parts, quits, nick changes */
	SB_NOTICE,		/* what else the server says */
	SB_ERROR,		/* a refused line, or one we could not read */
	SB_CLIENT		/* the client's own notices */
};

struct sb;
struct sb_line;

struct sb	*sb_new(size_t maxlines);	/* NULL if out of memory */
void		 sb_free(struct sb *);

/*
 * Adds a line, dropping the oldest when full.  nick and text are stored
 * as given (already made safe for display).  -1 if out of memory, or
 * with EINVAL for a kind not in enum sb_kind.  flags fit 8 bits; a nick
 * is cut to 255 bytes, on a character.
 */
int		 sb_add(struct sb *, enum sb_kind, int flags, int64_t ts,
		    const char *nick, size_t nicklen, const char *text,
		    size_t textlen);
void		 sb_clear(struct sb *);
size_t		 sb_limit(const struct sb *);	/* lines it may hold */

size_t		 sb_count(const struct sb *);	/* lines held */
uint64_t	 sb_total(const struct sb *);	/* lines ever added */

/*
 * Lines are numbered from 0 in the order they were added, and keep their
 * number: the oldest held is sb_first() (sb_total() - sb_count()).
 */
uint64_t	 sb_first(const struct sb *);

/* Line i, 0 the oldest held; NULL past the end. */
const struct sb_line *sb_get(const struct sb *, size_t i);

enum sb_kind	 sb_line_kind(const struct sb_line *);
int		 sb_line_flags(const struct sb_line *);
int64_t		 sb_line_ts(const struct sb_line *);
/* Nick and text are NUL-terminated; len may be NULL. */
const char	*sb_line_nick(const struct sb_line *, size_t *len);
const char	*sb_line_text(const struct sb_line *, size_t *len);

#endif /* SCROLLBACK_H */
