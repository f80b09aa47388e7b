/*
 * view.h: the message window drawn from the scrollback where the scroll
 * model stands, the status line's text, and when each is drawn: once per
 * loop turn at most, and in a flood at most once a frame.
 */
#ifndef VIEW_H
#define VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "scroll.h"

struct edit;
struct sb;
struct screen;
struct view;

/* What the status line and the foot of the window show. */
struct view_status {
	const char		*server;	/* "host:port" */
	const char		*room;
	const char		*nick;
	size_t			 users;
	const char		*state;		/* "connected" ... */
	const char *const	*pending;	/* lines not yet sent */
	size_t			 npending;
};

/* A view of sb on the screen; NULL if out of memory. */
struct view	*view_new(struct sb *, struct screen *);
void		 view_free(struct view *);

/* Takes the terminal's new size (after SIGWINCH or KEY_RESIZE). */
void		 view_resize(struct view *);
/* Everything is drawn again, from nothing (Ctrl-L). */
void		 view_redraw(struct view *);

/* A line was added to the scrollback, or it was cleared. */
void		 view_added(struct view *);
void		 view_cleared(struct view *);
/* The input line changed. */
void		 view_input_changed(struct view *);

void		 view_scroll(struct view *, enum scroll_move);
int		 view_scrolled(struct view *);

/*
 * Draws what changed since the last call, with one doupdate(); does
 * nothing when nothing did.  now is a monotonic clock in ms: new lines
 * are drawn at most once a frame (25 ms), anything a person did at
 * once.
 */
void		 view_draw(struct view *, const struct view_status *,
		    struct edit *, int64_t now);

/* Milliseconds until view_draw() has held-back lines to draw; -1: none. */
int		 view_timeout(const struct view *, int64_t now);

#endif /* VIEW_H */
