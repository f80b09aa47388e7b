/*
 * format.h: a scrollback line as text, "HH:MM <nick> text" and its kin,
 * and where it wraps in a window: what the window draws and /save writes.
 */
#ifndef FORMAT_H
#define FORMAT_H

#include <stddef.h>

struct fmt;
struct sb_line;
struct wrap_row;

/*
 * A formatted line, in the formatter's buffer: valid until the next call
 * on the same struct fmt.
 */
struct fmt_line {
	const char	*s;		/* NUL-terminated */
	size_t		 len;
	size_t		 nick;		/* the nick is [nick, nickend) */
	size_t		 nickend;
	size_t		 body;		/* where wrapping starts: the text, or 0 */
	int		 bodycol;	/* the column of body */
	int		 extra;		/* hanging indent of later rows in body */
};

struct fmt	*fmt_new(void);		/* NULL if out of memory */
void		 fmt_free(struct fmt *);

/*
 * Formats l: the time in local time, then what proto_decoration() puts
 * around the nick of its kind, then the text.  The layout fields are for
 * a window cols wide; with cols 0 (a file) only s and len are set.
 * -1 if out of memory.
 */
int		 fmt_line(struct fmt *, const struct sb_line *l, int cols,
		    struct fmt_line *);

/* A line typed while disconnected: "(pending) text".  -1: no memory. */
int		 fmt_pending(struct fmt *, const char *text, int cols,
		    struct fmt_line *);

/*
 * Breaks a formatted line into rows of cols columns, only the body
 * wrapping so that the first row keeps the time and the nick; returns
 * how many rows and points *rows at them (byte offsets into s, valid
 * until the next call).
 */
int		 fmt_wrap(struct fmt *, const struct fmt_line *, int cols,
		    const struct wrap_row **rows);

/* The rows l takes in a window cols wide (1 if out of memory). */
int		 fmt_rows(struct fmt *, const struct sb_line *l, int cols);

#endif /* FORMAT_H */
