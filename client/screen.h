/*
 * screen.h: the curses screen: the terminal taken and given back, the
 * three windows (messages, status line, input line), colours, and keys.
 * What it shows was made safe for display before it got here.
 */
#ifndef SCREEN_H
#define SCREEN_H

#include <curses.h>
#include <stddef.h>
#include <wchar.h>

#include "scrollback.h"

struct edit;
struct screen;

/*
 * Puts the terminal in curses mode; -1 if it cannot.  screen_end()
 * gives the terminal back as it was found, and may be called any number
 * of times, before or after screen_start().
 */
int		 screen_start(void);
void		 screen_end(void);

struct screen	*screen_new(void);		/* NULL if out of memory */
void		 screen_free(struct screen *);

/*
 * The next key, without waiting: OK for a character, KEY_CODE_YES for a
 * function key, ERR for none (curses' wget_wch()).
 */
int		 screen_getkey(struct screen *, wint_t *);

/*
 * Takes the terminal's size after SIGWINCH or KEY_RESIZE; returns 1 if
 * it changed: the windows are new, and all of them need drawing.
 */
int		 screen_resize(struct screen *);

/* The next screen_update() draws the terminal again from nothing. */
void		 screen_redraw(struct screen *);

/*
 * The message window and its size; NULL when the terminal is too small
 * to draw in (fewer than 3 rows or 4 columns).
 */
WINDOW		*screen_msgwin(struct screen *, int *height, int *width);

/* How a scrollback line's nick and the rest of it look. */
void		 screen_attrs(const struct screen *, enum sb_kind, int flags,
		    const char *nick, size_t nicklen, attr_t *nickattr,
		    attr_t *attr);

/* Writes UTF-8 text at the window's cursor, in attr. */
void		 screen_put(WINDOW *, const char *, size_t, attr_t);

/*
 * Draws text as the status line, cut to the width, unless it shows that
 * already: returns 1 if it drew it, 0 if it was shown, and -1 if it
 * differs but hold kept it back.
 */
int		 screen_status(struct screen *, const char *text, int hold);

/* Draws the input line, scrolled so that the cursor shows. */
void		 screen_input(struct screen *, struct edit *);

/*
 * Sends out what was drawn, with one doupdate(): the message window if
 * msgs, the status line if status, and the input line last, so that the
 * cursor ends there.
 */
void		 screen_update(struct screen *, int msgs, int status);

#endif /* SCREEN_H */
