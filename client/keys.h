/*
 * keys.h: the key bindings of the TUI: a key from curses to an action.
 */
#ifndef KEYS_H
#define KEYS_H

#include <wchar.h>

enum key_action {
	KEY_A_NONE,		/* unbound */
	KEY_A_INSERT,		/* a character to insert */
	KEY_A_LEFT,
	KEY_A_RIGHT,
	KEY_A_HOME,		/* start of line; top of scrollback if scrolled */
	KEY_A_END,		/* end of line; back to the bottom if scrolled */
	KEY_A_BACKSPACE,
	KEY_A_DELETE,
	KEY_A_KILL_START,
	KEY_A_KILL_END,
	KEY_A_KILL_WORD,
	KEY_A_HISTORY_PREV,
	KEY_A_HISTORY_NEXT,
	KEY_A_PAGE_UP,
	KEY_A_PAGE_DOWN,
	KEY_A_COMPLETE,
	KEY_A_ENTER,
	KEY_A_REDRAW,
	KEY_A_RESIZE
};

/*
 * The action for a key as wget_wch() gives it: ch is a character, or a
 * function key when keycode is true.
 */
enum key_action	keys_action(wint_t ch, int keycode);

#endif /* KEYS_H */
