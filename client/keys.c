/*
 * keys.c: the key bindings, one line each; what a binding does lives
 * with the input line and the view.
 */
#include <curses.h>
#include <stddef.h>
#include <wctype.h>

#include "keys.h"

#define CTRL(c)	((c) & 0x1f)

struct binding {
	wint_t		 key;
	int		 keycode;	/* a curses KEY_ code, not a character */
	enum key_action	 action;
};

static const struct binding bindings[] = {
	{ KEY_LEFT,	 1, KEY_A_LEFT },
	{ CTRL('b'),	 0, KEY_A_LEFT },
	{ KEY_RIGHT,	 1, KEY_A_RIGHT },
	{ CTRL('f'),	 0, KEY_A_RIGHT },
	{ KEY_HOME,	 1, KEY_A_HOME },
	{ KEY_FIND,	 1, KEY_A_HOME },	/* ESC [ 1 ~ */
	{ CTRL('a'),	 0, KEY_A_HOME },
	{ KEY_END,	 1, KEY_A_END },
	{ KEY_SELECT,	 1, KEY_A_END },	/* ESC [ 4 ~ */
	{ CTRL('e'),	 0, KEY_A_END },
	{ KEY_BACKSPACE, 1, KEY_A_BACKSPACE },
	{ 0x7f,		 0, KEY_A_BACKSPACE },
	{ CTRL('h'),	 0, KEY_A_BACKSPACE },
	{ KEY_DC,	 1, KEY_A_DELETE },
	{ CTRL('d'),	 0, KEY_A_DELETE },
	{ CTRL('u'),	 0, KEY_A_KILL_START },
	{ CTRL('k'),	 0, KEY_A_KILL_END },
	{ CTRL('w'),	 0, KEY_A_KILL_WORD },
	{ KEY_UP,	 1, KEY_A_HISTORY_PREV },
	{ CTRL('p'),	 0, KEY_A_HISTORY_PREV },
	{ KEY_DOWN,	 1, KEY_A_HISTORY_NEXT },
	{ CTRL('n'),	 0, KEY_A_HISTORY_NEXT },
	{ KEY_PPAGE,	 1, KEY_A_PAGE_UP },
	{ KEY_NPAGE,	 1, KEY_A_PAGE_DOWN },
	{ '\t',		 0, KEY_A_COMPLETE },
	{ '\r',		 0, KEY_A_ENTER },
	{ '\n',		 0, KEY_A_ENTER },
	{ KEY_ENTER,	 1, KEY_A_ENTER },
	{ CTRL('l'),	 0, KEY_A_REDRAW },
	{ KEY_RESIZE,	 1, KEY_A_RESIZE },
};

enum key_action
keys_action(wint_t ch, int keycode)
{
	size_t	i;

	for (i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
		if (bindings[i].key == ch && bindings[i].keycode == !!keycode)
			return bindings[i].action;
	if (!keycode && iswprint(ch))
		return KEY_A_INSERT;
	return KEY_A_NONE;
}
