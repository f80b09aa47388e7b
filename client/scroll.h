/*
 * scroll.h: where the message window stands in the scrollback, and the
 * rows each line takes at the window's width, kept per line so that
 * scrolling costs what the window shows, not what the scrollback holds.
 * It knows nothing of curses.
 */
#ifndef SCROLL_H
#define SCROLL_H

#include <stdint.h>

struct sb;
struct sb_line;
struct scroll;

enum scroll_move {
	SCROLL_PGUP,		/* a window back, less a row of context */
	SCROLL_PGDN,
	SCROLL_TOP,		/* the oldest line on the top row */
	SCROLL_BOTTOM		/* follow new lines again */
};

/* The rows a line takes in a window width columns wide; at least 1. */
typedef int	scroll_rows_fn(void *arg, const struct sb_line *, int width);

/*
 * A window on sb, at its bottom, that learns the rows of a line from
 * rows(arg, line, width) once per width; NULL if out of memory.
 */
struct scroll	*scroll_new(const struct sb *, scroll_rows_fn *rows,
		    void *arg);
void		 scroll_free(struct scroll *);

/* The window's size; a new width forgets every row count. */
void		 scroll_size(struct scroll *, int width, int height);

void		 scroll_move(struct scroll *, enum scroll_move);

/* The scrollback was cleared: back at the bottom, nothing unread. */
void		 scroll_cleared(struct scroll *);

/* True while scrolled back from the bottom. */
int		 scroll_scrolled(struct scroll *);

/* While scrolled back: lines added since the newest the window showed. */
uint64_t	 scroll_unread(struct scroll *);

/*
 * What the window shows: the lines numbered below *end (sb_first()
 * numbering), upwards from its bottom row, the last *skip rows of line
 * *end - 1 hidden below it.  At the bottom, *end is sb_total() and *skip
 * 0.  The lines before *end count as seen.
 */
void		 scroll_window(struct scroll *, uint64_t *end, int *skip);

#endif /* SCROLL_H */
