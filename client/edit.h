/*
 * edit.h: the input line as a model: UTF-8 text, a cursor, editing
 * operations and the history of sent lines; it knows nothing of curses.
 */
#ifndef EDIT_H
#define EDIT_H

#include <stddef.h>

/*
 * The longest line, in bytes: the protocol's line limit less the LF and
 * the token a message goes with (SESSION_MAXLINE, which tui.c checks).
 */
#define EDIT_MAX	4056

struct edit;

struct edit	*edit_new(size_t histmax);	/* NULL if out of memory */
void		 edit_free(struct edit *);

/*
 * Inserts UTF-8 text at the cursor (invalid bytes become U+FFFD).
 * It is cleaned as text_clean() cleans what crosses the wire: controls
 * and escape sequences dropped, TAB a space.  Inserts what
 * fits in EDIT_MAX bytes and returns -1 if that was not all (or if out
 * of memory), else 0.
 */
int		 edit_insert(struct edit *, const char *s, size_t len);

void		 edit_left(struct edit *);	/* one character */
void		 edit_right(struct edit *);
void		 edit_home(struct edit *);	/* Home, Ctrl-A */
void		 edit_end(struct edit *);	/* End, Ctrl-E */
void		 edit_backspace(struct edit *);	/* the character before */
void		 edit_delete(struct edit *);	/* the character under */
void		 edit_kill_start(struct edit *);	/* Ctrl-U */
void		 edit_kill_end(struct edit *);	/* Ctrl-K */
void		 edit_kill_word(struct edit *);	/* Ctrl-W: word before */
void		 edit_history_prev(struct edit *);	/* Up */
void		 edit_history_next(struct edit *);	/* Down */

/* The text (NUL-terminated) and the cursor as a byte offset. */
const char	*edit_text(const struct edit *, size_t *len);
size_t		 edit_cursor(const struct edit *);

/* Replaces the bytes [from, cursor) with s and leaves the cursor after. */
int		 edit_replace(struct edit *, size_t from, const char *s,
		    size_t len);	/* -1, unchanged, if it does not fit */

/*
 * Tab completion's memory between presses (complete.c).  Every change
 * to the line or the cursor other than edit_replace() forgets it, and
 * edit_get_mark() then returns -1.
 */
struct edit_mark {
	size_t	from;		/* where the completed word starts */
	size_t	plen;		/* bytes typed there before the first Tab */
	size_t	idx;		/* the candidate shown */
	int	cmd;		/* 1: a command, 0: a nick */
};
void		 edit_set_mark(struct edit *, const struct edit_mark *);
int		 edit_get_mark(const struct edit *, struct edit_mark *);

/*
 * Enter: copies the line into buf (cap bytes, NUL-terminated, truncated
 * on a character boundary), adds it to the history unless empty, clears
 * the line; returns its length.
 */
size_t		 edit_take(struct edit *, char *buf, size_t cap);

/*
 * Horizontal scrolling for a field of width columns: the byte offset of
 * the first character shown and the cursor's column in the field.  The
 * view keeps its offset between calls and moves it only when the cursor
 * would leave the field.
 */
void		 edit_view(struct edit *, int width, size_t *start,
		    int *curcol);

#endif /* EDIT_H */
