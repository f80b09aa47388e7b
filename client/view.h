/*
 * view.h: the curses screen: the message window drawn from the
 * scrollback, the status line and the input line.  It knows nothing of
 * the wire; what it shows was made safe for display before it got here.
 */
#ifndef VIEW_H
#define VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

struct edit;
struct sb;
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

/* Scrolling, for view_scroll(). */
enum view_move { VIEW_PGUP, VIEW_PGDN, VIEW_TOP, VIEW_BOTTOM };

/*
 * Puts the terminal in curses mode; -1 if it cannot.  view_end()
 * restores it, and may be called any number of times.
 */
int		 view_start(void);
void		 view_end(void);

struct view	*view_new(struct sb *);		/* NULL if out of memory */
void		 view_free(struct view *);

/*
 * The next key, without waiting: OK for a character, KEY_CODE_YES for a
 * function key, ERR for none (curses' wget_wch()).
 */
int		 view_getkey(struct view *, wint_t *);

/* Takes the terminal's new size (after SIGWINCH or KEY_RESIZE). */
void		 view_resize(struct view *);
/* Everything is drawn again, from nothing (Ctrl-L). */
void		 view_redraw(struct view *);

/* A line was added to the scrollback, or it was cleared. */
void		 view_added(struct view *);
void		 view_cleared(struct view *);
/* The input line changed. */
void		 view_input_changed(struct view *);

void		 view_scroll(struct view *, enum view_move);
int		 view_scrolled(const struct view *);

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
