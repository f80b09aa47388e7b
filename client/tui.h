/*
 * tui.h: the full-screen client: events from the session go to the
 * scrollback, keys to the input line, and the view draws both.
 */
#ifndef TUI_H
#define TUI_H

#include <stddef.h>

struct session;
struct session_cb;
struct tui;

/* A TUI keeping scrollback lines; NULL if out of memory. */
struct tui	*tui_new(size_t scrollback);
void		 tui_free(struct tui *);

/* The callbacks a session reports to, for session_new(). */
void		 tui_callbacks(struct tui *, struct session_cb *);

/*
 * Starts curses and runs the loop until /quit or a signal; the terminal
 * is restored on return.  Returns the exit status.
 */
int		 tui_run(struct tui *, struct session *);

#endif /* TUI_H */
