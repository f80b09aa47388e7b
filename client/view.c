/*
 * view.c: the curses screen, drawn from the scrollback once per loop
 * turn: only the rows the window shows are formatted and wrapped, and
 * only what changed is written out, with one doupdate().
 */
#include <sys/ioctl.h>

#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "color.h"
#include "edit.h"
#include "format.h"
#include "scrollback.h"
#include "view.h"
#include "wrap.h"

#define VIEW_WCHUNK	256		/* wide characters per curses call */
#define VIEW_FRAME_MS	25		/* new lines drawn at most this often */

/* Colour pairs; nick colours start at PAIR_NICK. */
enum {
	PAIR_ACT = 1, PAIR_PRIV, PAIR_ERROR, PAIR_MENTION, PAIR_CLIENT,
	PAIR_NICK
};

/* The nick colours: bright ones where there are 16 or more. */
static const short nick16[] = { 1, 2, 3, 5, 6, 9, 10, 11, 12, 13, 14 };
static const short nick8[] = { 1, 2, 3, 4, 5, 6 };

/* How a line's nick and the rest of it look. */
struct attrs {
	attr_t	nick;
	attr_t	rest;
};

struct view {
	struct sb	*sb;
	WINDOW		*msgw, *statw, *inw;
	WINDOW		*keyw;		/* a pad keys are read from */
	int		 rows, cols, msgh;
	int		 scrolled;
	uint64_t	 anchor;	/* line number shown at the bottom */
	int		 skip;		/* its rows hidden below the window */
	uint64_t	 seen;		/* lines drawn up to this number */
	int		 msgs_dirty;
	int		 msgs_now;	/* a person acted: no holding back */
	int64_t		 msgs_at;	/* when the window was last drawn */
	int64_t		 status_at;	/* when the status line was */
	int		 status_held;	/* it changed, and waits a frame */
	int		 input_dirty;
	char		 status[6 * 300];	/* as last drawn */
	size_t		 npending;	/* as last drawn */
	const char	*pending0;
	int		 ncolors;	/* nick colours; 0 without colour */
	struct fmt	*fmt;
};

static int	started;

static void	 make_windows(struct view *);
static void	 free_windows(struct view *);
static void	 line_attrs(struct view *, const struct sb_line *,
		    struct attrs *);
static int	 line_rows(struct view *, uint64_t);
static int	 draw_line(struct view *, const struct fmt_line *,
		    const struct attrs *, int, int);
static void	 draw_row(struct view *, const struct fmt_line *,
		    const struct wrap_row *, const struct attrs *, int, int);
static void	 put(WINDOW *, const char *, size_t, attr_t);
static void	 draw_msgs(struct view *, const struct view_status *);
static int	 draw_status(struct view *, const struct view_status *, int);
static void	 draw_input(struct view *, struct edit *);
static void	 setup_colors(struct view *);
static uint64_t	 first_line(const struct view *);
static void	 clamp(struct view *);
static void	 clamp_top(struct view *);
static void	 top_position(struct view *);
static void	 check_bottom(struct view *);

int
view_start(void)
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
view_end(void)
{
	if (!started)
		return;
	started = 0;
	endwin();
}

struct view *
view_new(struct sb *sb)
{
	struct view	*v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->sb = sb;
	setup_colors(v);
	make_windows(v);
	if ((v->keyw = newpad(1, 1)) != NULL) {
		keypad(v->keyw, TRUE);
		nodelay(v->keyw, TRUE);
	}
	if (v->msgw == NULL || v->statw == NULL || v->inw == NULL ||
	    v->keyw == NULL || (v->fmt = fmt_new()) == NULL) {
		view_free(v);
		return NULL;
	}
	return v;
}

void
view_free(struct view *v)
{
	if (v == NULL)
		return;
	free_windows(v);
	if (v->keyw != NULL)
		delwin(v->keyw);
	fmt_free(v->fmt);
	free(v);
}

/*
 * Keys are read from a pad: wget_wch() on a window would first refresh
 * it, drawing outside the one doupdate() of the turn.
 */
int
view_getkey(struct view *v, wint_t *ch)
{
	return wget_wch(v->keyw, ch);
}

void
view_resize(struct view *v)
{
	struct winsize	ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0 && (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
	if (LINES == v->rows && COLS == v->cols)
		return;
	free_windows(v);
	make_windows(v);
	clamp(v);
	view_redraw(v);
}

void
view_redraw(struct view *v)
{
	clearok(curscr, TRUE);
	v->msgs_dirty = v->msgs_now = v->input_dirty = 1;
	v->status[0] = '\0';
}

void
view_added(struct view *v)
{
	if (!v->scrolled)
		v->msgs_dirty = 1;
}

void
view_cleared(struct view *v)
{
	v->scrolled = 0;
	v->seen = sb_total(v->sb);
	v->msgs_dirty = v->msgs_now = 1;
}

void
view_input_changed(struct view *v)
{
	v->input_dirty = 1;
}

int
view_scrolled(const struct view *v)
{
	return v->scrolled;
}

void
view_scroll(struct view *v, enum view_move m)
{
	uint64_t	first = first_line(v), total = sb_total(v->sb);
	int		step = v->msgh > 2 ? v->msgh - 1 : 1;

	if (total == first || v->msgh <= 0)
		return;
	v->msgs_dirty = v->msgs_now = 1;
	switch (m) {
	case VIEW_PGUP:
		if (!v->scrolled) {
			v->scrolled = 1;
			v->anchor = total - 1;
			v->skip = 0;
		}
		v->skip += step;
		while (v->anchor > first && v->skip >= line_rows(v, v->anchor))
			v->skip -= line_rows(v, v->anchor--);
		clamp(v);
		clamp_top(v);
		break;
	case VIEW_PGDN:
		if (!v->scrolled)
			return;
		v->skip -= step;
		while (v->skip < 0) {
			if (v->anchor + 1 >= total) {
				v->skip = 0;
				break;
			}
			v->skip += line_rows(v, ++v->anchor);
		}
		break;
	case VIEW_TOP:
		top_position(v);
		break;
	case VIEW_BOTTOM:
		v->scrolled = 0;
		break;
	}
	check_bottom(v);
}

int
view_timeout(const struct view *v, int64_t now)
{
	int64_t	at = -1;

	if (v == NULL)
		return -1;
	if (v->msgs_dirty)
		at = v->msgs_now ? now : v->msgs_at + VIEW_FRAME_MS;
	if (v->status_held && (at == -1 ||
	    v->status_at + VIEW_FRAME_MS < at))
		at = v->status_at + VIEW_FRAME_MS;
	if (at == -1)
		return -1;
	return at <= now ? 0 : (int)(at - now);
}

void
view_draw(struct view *v, const struct view_status *st, struct edit *e,
    int64_t now)
{
	int	 changed = 0, hold;

	if (v->rows < 3 || v->cols < 4) {
		if (v->msgs_dirty || v->input_dirty) {
			wnoutrefresh(v->inw);
			doupdate();
		}
		v->msgs_dirty = v->msgs_now = v->input_dirty = 0;
		return;
	}
	clamp(v);
	if (!v->scrolled && (st->npending != v->npending ||
	    (st->npending > 0 && st->pending[0] != v->pending0)))
		v->msgs_dirty = v->msgs_now = 1;
	/*
	 * In a flood, lines that would scroll past unseen are not drawn:
	 * the window is redrawn at most once a frame, and at once when a
	 * person did something.
	 */
	if (v->msgs_dirty && (v->msgs_now ||
	    now >= v->msgs_at + VIEW_FRAME_MS || now < v->msgs_at)) {
		draw_msgs(v, st);
		wnoutrefresh(v->msgw);
		v->msgs_dirty = v->msgs_now = 0;
		v->msgs_at = now;
		changed = 1;
	}
	/* So is the status line, whose unread count a flood keeps busy. */
	hold = !changed && !v->input_dirty && now >= v->status_at &&
	    now < v->status_at + VIEW_FRAME_MS;
	if (draw_status(v, st, hold)) {
		wnoutrefresh(v->statw);
		v->status_at = now;
		changed = 1;
	}
	if (v->input_dirty || changed) {
		if (v->input_dirty)
			draw_input(v, e);
		/* Refreshed last, so the cursor ends on the input line. */
		wnoutrefresh(v->inw);
		changed = 1;
	}
	v->input_dirty = 0;
	if (changed)
		doupdate();
}

/* Lays out the three windows for the current size. */
static void
make_windows(struct view *v)
{
	v->rows = LINES;
	v->cols = COLS;
	v->msgh = v->rows >= 3 ? v->rows - 2 : 0;
	if (v->msgh > 0) {
		v->msgw = newwin(v->msgh, v->cols, 0, 0);
		v->statw = newwin(1, v->cols, v->msgh, 0);
	} else {
		v->msgw = newpad(1, 1);
		v->statw = newpad(1, 1);
	}
	v->inw = newwin(1, v->cols, v->rows - 1, 0);
	v->msgs_dirty = v->msgs_now = v->input_dirty = 1;
	v->status[0] = '\0';
}

static void
free_windows(struct view *v)
{
	if (v->msgw != NULL)
		delwin(v->msgw);
	if (v->statw != NULL)
		delwin(v->statw);
	if (v->inw != NULL)
		delwin(v->inw);
	v->msgw = v->statw = v->inw = NULL;
}

static void
setup_colors(struct view *v)
{
	const short	*pal;
	short		 bg = -1, i, n;

	v->ncolors = 0;
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
	v->ncolors = n;
}

/* Lines are numbered from the first ever added; this is the oldest held. */
static uint64_t
first_line(const struct view *v)
{
	return sb_total(v->sb) - sb_count(v->sb);
}

/* Keeps the scroll position on a line that is still held. */
static void
clamp(struct view *v)
{
	uint64_t	first = first_line(v);
	int		n;

	if (!v->scrolled)
		return;
	if (sb_count(v->sb) == 0) {
		v->scrolled = 0;
		return;
	}
	if (v->anchor < first) {
		v->anchor = first;
		v->skip = 0;
	}
	if (v->skip >= (n = line_rows(v, v->anchor)))
		v->skip = n - 1;
	if (v->skip < 0)
		v->skip = 0;
}

/* Scrolling up stops when the oldest line reaches the top row. */
static void
clamp_top(struct view *v)
{
	uint64_t	first = first_line(v), a = v->anchor;
	int		rows = line_rows(v, a) - v->skip;

	while (rows < v->msgh && a > first)
		rows += line_rows(v, --a);
	if (rows < v->msgh)
		top_position(v);
}

/* The oldest line on the top row, or no scrolling if all fits. */
static void
top_position(struct view *v)
{
	uint64_t	a = first_line(v), total = sb_total(v->sb);
	int		rows = 0;

	for (; a < total; a++) {
		rows += line_rows(v, a);
		if (rows >= v->msgh) {
			v->scrolled = 1;
			v->anchor = a;
			v->skip = rows - v->msgh;
			return;
		}
	}
	v->scrolled = 0;
}

static void
check_bottom(struct view *v)
{
	if (v->scrolled && v->anchor + 1 >= sb_total(v->sb) && v->skip == 0)
		v->scrolled = 0;
}

/* The rows line number a takes at the current width. */
static int
line_rows(struct view *v, uint64_t a)
{
	const struct sb_line	*l;

	if ((l = sb_get(v->sb, a - first_line(v))) == NULL)
		return 1;
	return fmt_rows(v->fmt, l, v->cols);
}

static void
draw_msgs(struct view *v, const struct view_status *st)
{
	static const struct attrs pending = { A_DIM, A_DIM };
	const struct sb_line	*l;
	struct fmt_line		 fl;
	struct attrs		 at;
	uint64_t		 first = first_line(v), total = sb_total(v->sb);
	uint64_t		 a;
	int			 y = v->msgh, skip = 0;
	size_t			 i;

	werase(v->msgw);
	if (!v->scrolled) {
		for (i = st->npending; i > 0 && y > 0; i--)
			if (fmt_pending(v->fmt, st->pending[i - 1], v->cols,
			    &fl) == 0)
				y = draw_line(v, &fl, &pending, y, 0);
		v->npending = st->npending;
		v->pending0 = st->npending > 0 ? st->pending[0] : NULL;
		a = total;
	} else {
		a = v->anchor + 1;
		skip = v->skip;
	}
	if (a > v->seen)
		v->seen = a;
	for (; a > first && y > 0; a--, skip = 0) {
		if ((l = sb_get(v->sb, a - 1 - first)) == NULL ||
		    fmt_line(v->fmt, l, v->cols, &fl) == -1)
			continue;
		line_attrs(v, l, &at);
		y = draw_line(v, &fl, &at, y, skip);
	}
}

/*
 * Draws the rows of a formatted line that end above row y, less the
 * last skip of them; returns the row above the first drawn.
 */
static int
draw_line(struct view *v, const struct fmt_line *fl, const struct attrs *at,
    int y, int skip)
{
	const struct wrap_row	*wr;
	int			 n, r;

	n = fmt_wrap(v->fmt, fl, v->cols, &wr);
	for (r = n - 1 - skip; r >= 0 && y > 0; r--)
		draw_row(v, fl, &wr[r], at, r == 0 ? 0 : fl->bodycol +
		    fl->extra, --y);
	return y;
}

/* A row of the line from column x, in pieces by attribute. */
static void
draw_row(struct view *v, const struct fmt_line *fl, const struct wrap_row *wr,
    const struct attrs *at, int x, int y)
{
	size_t	a = wr->start, b = wr->end, cut[3], lo, hi;
	attr_t	attr[3];
	int	i;

	wmove(v->msgw, y, x);
	cut[0] = fl->nick;
	cut[1] = fl->nickend;
	cut[2] = fl->len;
	attr[0] = at->rest;
	attr[1] = at->nick;
	attr[2] = at->rest;
	lo = 0;
	for (i = 0; i < 3; i++) {
		hi = cut[i];
		if (hi > a && lo < b)
			put(v->msgw, fl->s + (lo > a ? lo : a),
			    (hi < b ? hi : b) - (lo > a ? lo : a), attr[i]);
		lo = hi;
	}
}

/* Writes UTF-8 text with wide-character calls. */
static void
put(WINDOW *w, const char *s, size_t len, attr_t attr)
{
	wchar_t		 wbuf[VIEW_WCHUNK];
	mbstate_t	 ms;
	size_t		 n, k;

	memset(&ms, 0, sizeof(ms));
	wattrset(w, attr);
	while (len > 0) {
		for (n = 0; n < VIEW_WCHUNK && len > 0; n++) {
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

/* How the nick and the rest of a line look, by kind and flags. */
static void
line_attrs(struct view *v, const struct sb_line *l, struct attrs *at)
{
	const char	*nick;
	size_t		 nicklen;
	int		 kind = sb_line_kind(l), flags = sb_line_flags(l);

	nick = sb_line_nick(l, &nicklen);
	at->nick = A_BOLD;
	if (v->ncolors > 0 && nicklen > 0)
		at->nick |= COLOR_PAIR(PAIR_NICK +
		    nick_color(nick, nicklen, v->ncolors));
	switch (kind) {
	case SB_ACT:
		at->rest = v->ncolors ? COLOR_PAIR(PAIR_ACT) : A_NORMAL;
		break;
	case SB_PRIV:
	case SB_PRIVTO:
		at->rest = v->ncolors ? COLOR_PAIR(PAIR_PRIV) : A_UNDERLINE;
		break;
	case SB_EVENT:
	case SB_NOTICE:
		at->rest = A_DIM;
		break;
	case SB_ERROR:
		at->rest = A_BOLD | (v->ncolors ? COLOR_PAIR(PAIR_ERROR) : 0);
		break;
	case SB_CLIENT:
		at->rest = A_BOLD | (v->ncolors ? COLOR_PAIR(PAIR_CLIENT) : 0);
		break;
	default:
		at->rest = A_NORMAL;
		break;
	}
	if (flags & SB_OWN)
		at->rest |= A_BOLD;
	/* A private message is set apart already. */
	if ((flags & SB_MENTION) && kind != SB_PRIV)
		at->rest = A_BOLD | (v->ncolors ? COLOR_PAIR(PAIR_MENTION) :
		    A_STANDOUT);
	else if (flags & SB_MENTION)
		at->rest |= A_BOLD;
}

/*
 * Builds the status line, and draws it if it differs from the last and
 * hold is false; returns true if it did.
 */
static int
draw_status(struct view *v, const struct view_status *st, int hold)
{
	static const int drop[] = { 0, 3, 1 };	/* the first to go */
	char		 buf[sizeof(v->status)], part[6][300];
	uint64_t	 total = sb_total(v->sb);
	size_t		 len = 0, i;

	snprintf(part[0], sizeof(part[0]), " [%s]", st->server);
	snprintf(part[1], sizeof(part[1]), " [%s]", st->room[0] ? st->room :
	    "-");
	snprintf(part[2], sizeof(part[2]), " [%s]", st->nick[0] ? st->nick :
	    "-");
	snprintf(part[3], sizeof(part[3]), " [%zu user%s]", st->users,
	    st->users == 1 ? "" : "s");
	snprintf(part[4], sizeof(part[4]), " [%s]", st->state);
	part[5][0] = '\0';
	if (v->scrolled && total > v->seen)
		snprintf(part[5], sizeof(part[5]), " [%llu unread]",
		    (unsigned long long)(total - v->seen));
	else if (v->scrolled)
		snprintf(part[5], sizeof(part[5]), " [scrolled]");
	for (i = 0; i < 6; i++)
		len += strlen(part[i]);
	for (i = 0; i < 3 && len > (size_t)v->cols; i++) {
		len -= strlen(part[drop[i]]);
		part[drop[i]][0] = '\0';
	}
	buf[0] = '\0';
	for (i = 0; i < 6; i++)
		strcat(buf, part[i]);
	v->status_held = 0;
	if (strcmp(buf, v->status) == 0)
		return 0;
	if (hold) {
		v->status_held = 1;
		return 0;
	}
	memcpy(v->status, buf, sizeof(buf));
	wbkgdset(v->statw, ' ' | A_REVERSE);
	werase(v->statw);
	wattrset(v->statw, A_REVERSE);
	mvwaddnstr(v->statw, 0, 0, buf, v->cols);
	wattrset(v->statw, A_NORMAL);
	return 1;
}

static void
draw_input(struct view *v, struct edit *e)
{
	const char	*text;
	size_t		 len, start, k;
	int		 width = v->cols - 1, curcol, col = 0, w;
	wchar_t		 wc;
	mbstate_t	 ms;

	text = edit_text(e, &len);
	edit_view(e, width, &start, &curcol);
	werase(v->inw);
	wmove(v->inw, 0, 0);
	memset(&ms, 0, sizeof(ms));
	while (start < len) {
		k = mbrtowc(&wc, text + start, len - start, &ms);
		if (k == 0 || k > len - start) {
			wc = L'?';
			k = 1;
			memset(&ms, 0, sizeof(ms));
		}
		if ((w = wcwidth(wc)) < 0)
			w = 1;
		if (col + w > width)
			break;
		waddnwstr(v->inw, &wc, 1);
		col += w;
		start += k;
	}
	wmove(v->inw, 0, curcol < width ? curcol : width);
}
