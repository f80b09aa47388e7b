/*
 * screen.c: curses kept in one place: the terminal's modes, the windows
 * laid out for its size, the colour pairs, the status and input lines,
 * and keys read without drawing outside the turn's one doupdate().
 */
#include <sys/ioctl.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "color.h"
#include "edit.h"
#include "screen.h"
#include "scrollback.h"
#include "wrap.h"

#define SCREEN_WCHUNK	256		/* wide characters per curses call */
#define SCREEN_STATUS	(6 * 300)	/* the longest status line */

/* Colour pairs; nick colours start at PAIR_NICK. */
enum {
	PAIR_ACT = 1, PAIR_PRIV, PAIR_ERROR, PAIR_MENTION, PAIR_CLIENT,
	PAIR_NICK
};

/* The nick colours: bright ones where there are 16 or more. */
static const short nick16[] = { 1, 2, 3, 5, 6, 9, 10, 11, 12, 13, 14 };
static const short nick8[] = { 1, 2, 3, 4, 5, 6 };

struct screen {
	WINDOW		*msgw, *statw, *inw;
	WINDOW		*keyw;		/* a pad keys are read from */
	int		 rows, cols, msgh;
	int		 ncolors;	/* nick colours; 0 without colour */
	char		 status[SCREEN_STATUS];	/* as last drawn */
};

static int	started;

static void	make_windows(struct screen *);
static void	free_windows(struct screen *);
static void	setup_colors(struct screen *);
static attr_t	kind_attr(const struct screen *, enum sb_kind);

int
screen_start(void)
{
	if (newterm(NULL, stdout, stdin) == NULL)
		return -1;
	started = 1;
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	/*
	 * No polling of the keyboard between rows: a frame goes out in one
	 * write, and keys wait for the next turn, which comes at once.
	 */
	typeahead(-1);
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	/* What terminals and tmux send that the entry may lack. */
	define_key("\033[1~", KEY_HOME);
	define_key("\033[7~", KEY_HOME);
	define_key("\033[H", KEY_HOME);
	define_key("\033OH", KEY_HOME);
	define_key("\033[4~", KEY_END);
	define_key("\033[8~", KEY_END);
	define_key("\033[F", KEY_END);
	define_key("\033OF", KEY_END);
	/*
	 * Until curses comes back from endwin(), it flushes its output at
	 * every cursor move, a write per row: leave and come back once, so
	 * that a frame goes out in one write.
	 */
	endwin();
	doupdate();
	return 0;
}

void
screen_end(void)
{
	if (!started)
		return;
	started = 0;
	endwin();
}

struct screen *
screen_new(void)
{
	struct screen	*sc;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return NULL;
	setup_colors(sc);
	make_windows(sc);
	if ((sc->keyw = newpad(1, 1)) != NULL) {
		keypad(sc->keyw, TRUE);
		nodelay(sc->keyw, TRUE);
	}
	if (sc->msgw == NULL || sc->statw == NULL || sc->inw == NULL ||
	    sc->keyw == NULL) {
		screen_free(sc);
		return NULL;
	}
	return sc;
}

void
screen_free(struct screen *sc)
{
	if (sc == NULL)
		return;
	free_windows(sc);
	if (sc->keyw != NULL)
		delwin(sc->keyw);
	free(sc);
}

/*
 * Keys are read from a pad: wget_wch() on a window would first refresh
 * it, drawing outside the one doupdate() of the turn.
 */
int
screen_getkey(struct screen *sc, wint_t *ch)
{
	return wget_wch(sc->keyw, ch);
}

int
screen_resize(struct screen *sc)
{
	struct winsize	ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0 && (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
	if (LINES == sc->rows && COLS == sc->cols)
		return 0;
	free_windows(sc);
	make_windows(sc);
	screen_redraw(sc);
	return 1;
}

void
screen_redraw(struct screen *sc)
{
	clearok(curscr, TRUE);
	sc->status[0] = '\0';
}

WINDOW *
screen_msgwin(struct screen *sc, int *height, int *width)
{
	*height = sc->msgh;
	*width = sc->cols;
	return sc->rows < 3 || sc->cols < 4 ? NULL : sc->msgw;
}

void
screen_attrs(const struct screen *sc, enum sb_kind kind, int flags,
    const char *nick, size_t nicklen, attr_t *nickattr, attr_t *attr)
{
	*nickattr = A_BOLD;
	if (sc->ncolors > 0 && nicklen > 0)
		*nickattr |= COLOR_PAIR(PAIR_NICK +
		    nick_color(nick, nicklen, sc->ncolors));
	*attr = kind_attr(sc, kind);
	if (flags & SB_OWN)
		*attr |= A_BOLD;
	/* A private message is set apart already. */
	if ((flags & SB_MENTION) && kind != SB_PRIV)
		*attr = A_BOLD | (sc->ncolors ? COLOR_PAIR(PAIR_MENTION) :
		    A_STANDOUT);
	else if (flags & SB_MENTION)
		*attr |= A_BOLD;
}

void
screen_put(WINDOW *w, const char *s, size_t len, attr_t attr)
{
	wchar_t		 wbuf[SCREEN_WCHUNK];
	mbstate_t	 ms;
	size_t		 n, k;

	memset(&ms, 0, sizeof(ms));
	wattrset(w, attr);
	while (len > 0) {
		for (n = 0; n < SCREEN_WCHUNK && len > 0; n++) {
			k = mbrtowc(&wbuf[n], s, len, &ms);
			if (k == 0 || k > len) {
				/* Not valid here (no UTF-8 locale): a mark. */
				wbuf[n] = L'?';
				k = 1;
				memset(&ms, 0, sizeof(ms));
			}
			s += k;
			len -= k;
		}
		waddnwstr(w, wbuf, n);
	}
	wattrset(w, A_NORMAL);
}

int
screen_status(struct screen *sc, const char *text, int hold)
{
	if (strcmp(text, sc->status) == 0)
		return 0;
	if (hold)
		return -1;
	snprintf(sc->status, sizeof(sc->status), "%s", text);
	wbkgdset(sc->statw, ' ' | A_REVERSE);
	werase(sc->statw);
	wattrset(sc->statw, A_REVERSE);
	mvwaddnstr(sc->statw, 0, 0, sc->status, sc->cols);
	wattrset(sc->statw, A_NORMAL);
	return 1;
}

void
screen_input(struct screen *sc, struct edit *e)
{
	const char	*text;
	size_t		 len, start;
	int		 width = sc->cols - 1, curcol;

	text = edit_text(e, &len);
	edit_view(e, width, &start, &curcol);
	werase(sc->inw);
	wmove(sc->inw, 0, 0);
	screen_put(sc->inw, text + start, wrap_fit(text + start, len - start,
	    width, NULL), A_NORMAL);
	wmove(sc->inw, 0, curcol < width ? curcol : width);
}

void
screen_update(struct screen *sc, int msgs, int status)
{
	if (msgs)
		wnoutrefresh(sc->msgw);
	if (status)
		wnoutrefresh(sc->statw);
	wnoutrefresh(sc->inw);
	doupdate();
}

/* Lays out the three windows for the current size. */
static void
make_windows(struct screen *sc)
{
	sc->rows = LINES;
	sc->cols = COLS;
	sc->msgh = sc->rows >= 3 ? sc->rows - 2 : 0;
	if (sc->msgh > 0) {
		sc->msgw = newwin(sc->msgh, sc->cols, 0, 0);
		sc->statw = newwin(1, sc->cols, sc->msgh, 0);
	} else {
		sc->msgw = newpad(1, 1);
		sc->statw = newpad(1, 1);
	}
	sc->inw = newwin(1, sc->cols, sc->rows - 1, 0);
	sc->status[0] = '\0';
}

static void
free_windows(struct screen *sc)
{
	if (sc->msgw != NULL)
		delwin(sc->msgw);
	if (sc->statw != NULL)
		delwin(sc->statw);
	if (sc->inw != NULL)
		delwin(sc->inw);
	sc->msgw = sc->statw = sc->inw = NULL;
}

static void
setup_colors(struct screen *sc)
{
	const short	*pal;
	short		 bg = -1, i, n;

	sc->ncolors = 0;
	if (!has_colors() || start_color() == ERR)
		return;
	if (use_default_colors() == ERR)
		bg = COLOR_BLACK;
	init_pair(PAIR_ACT, COLOR_MAGENTA, bg);
	init_pair(PAIR_PRIV, COLOR_GREEN, bg);
	init_pair(PAIR_ERROR, COLOR_RED, bg);
	init_pair(PAIR_MENTION, COLOR_YELLOW, bg);
	init_pair(PAIR_CLIENT, COLOR_CYAN, bg);
	if (COLORS >= 16) {
		pal = nick16;
		n = sizeof(nick16) / sizeof(nick16[0]);
	} else {
		pal = nick8;
		n = sizeof(nick8) / sizeof(nick8[0]);
	}
	if (COLOR_PAIRS <= PAIR_NICK + n)
		return;
	for (i = 0; i < n; i++)
		init_pair(PAIR_NICK + i, pal[i], bg);
	sc->ncolors = n;
}

/* The attribute of a line's text by its kind, before its flags. */
static attr_t
kind_attr(const struct screen *sc, enum sb_kind kind)
{
	int	c = sc->ncolors > 0;

	switch (kind) {
	case SB_ACT:
		return c ? COLOR_PAIR(PAIR_ACT) : A_NORMAL;
	case SB_PRIV:
	case SB_PRIVTO:
		return c ? COLOR_PAIR(PAIR_PRIV) : A_UNDERLINE;
	case SB_EVENT:
	case SB_NOTICE:
		return A_DIM;
	case SB_ERROR:
		return A_BOLD | (c ? COLOR_PAIR(PAIR_ERROR) : 0);
	case SB_CLIENT:
		return A_BOLD | (c ? COLOR_PAIR(PAIR_CLIENT) : 0);
	default:
		return A_NORMAL;
	}
}
