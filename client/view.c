/*
 * view.c: the message window, drawn from the scrollback once per loop
 * turn: only the lines the window shows are formatted and wrapped, the
 * scroll model keeps the rows of the others, and only what changed goes
 * out, with one doupdate().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "screen.h"
#include "scroll.h"
#include "scrollback.h"
#include "view.h"
#include "wrap.h"

#define VIEW_FRAME_MS	25		/* new lines drawn at most this often */
#define VIEW_STATUS	(6 * 300)

/* How a line's nick and the rest of it look. */
struct attrs {
	attr_t	nick;
	attr_t	rest;
};

struct view {
	struct sb	*sb;
	struct screen	*scr;
	struct scroll	*scroll;
	struct fmt	*fmt;
	int		 height, width;	/* of the message window */
	int		 msgs_dirty;
	int		 msgs_now;	/* a person acted: no holding back */
	int64_t		 msgs_at;	/* when the window was last drawn */
	int64_t		 status_at;	/* when the status line was */
	int		 status_held;	/* it changed, and waits a frame */
	int		 input_dirty;
	int		 added;		/* lines came since the last turn */
	uint64_t	 first;		/* the oldest line held, as last drawn */
	size_t		 npending;	/* as last drawn */
	const char	*pending0;
};

static int	measure(void *, const struct sb_line *, int);
static void	take_size(struct view *);
static void	draw_msgs(struct view *, WINDOW *, const struct view_status *);
static int	draw_line(struct view *, WINDOW *, const struct fmt_line *,
		    const struct attrs *, int, int);
static void	draw_row(WINDOW *, const struct fmt_line *,
		    const struct wrap_row *, const struct attrs *, int, int);
static int	draw_status(struct view *, const struct view_status *, int);

struct view *
view_new(struct sb *sb, struct screen *scr)
{
	struct view	*v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->sb = sb;
	v->scr = scr;
	if ((v->fmt = fmt_new()) == NULL ||
	    (v->scroll = scroll_new(sb, measure, v->fmt)) == NULL) {
		view_free(v);
		return NULL;
	}
	take_size(v);
	return v;
}

void
view_free(struct view *v)
{
	if (v == NULL)
		return;
	scroll_free(v->scroll);
	fmt_free(v->fmt);
	free(v);
}

void
view_resize(struct view *v)
{
	if (screen_resize(v->scr))
		take_size(v);
}

void
view_redraw(struct view *v)
{
	screen_redraw(v->scr);
	v->msgs_dirty = v->msgs_now = v->input_dirty = 1;
}

/* Taken note of only: what it means is decided once a turn. */
void
view_added(struct view *v)
{
	v->added = 1;
}

void
view_cleared(struct view *v)
{
	scroll_cleared(v->scroll);
	v->msgs_dirty = v->msgs_now = 1;
}

void
view_input_changed(struct view *v)
{
	v->input_dirty = 1;
}

int
view_scrolled(struct view *v)
{
	return scroll_scrolled(v->scroll);
}

void
view_scroll(struct view *v, enum scroll_move m)
{
	scroll_move(v->scroll, m);
	v->msgs_dirty = v->msgs_now = 1;
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
	WINDOW	*w;
	int	 msgs = 0, status, hold, scrolled;

	if ((w = screen_msgwin(v->scr, &v->height, &v->width)) == NULL) {
		if (v->msgs_dirty || v->input_dirty)
			screen_update(v->scr, 0, 0);
		v->msgs_dirty = v->msgs_now = v->input_dirty = 0;
		return;
	}
	/*
	 * New lines show at the bottom; while scrolled back, only lines
	 * leaving the ring can move the window.
	 */
	scrolled = scroll_scrolled(v->scroll);
	if (v->added && (!scrolled || sb_first(v->sb) != v->first))
		v->msgs_dirty = 1;
	v->added = 0;
	if (!scrolled && (st->npending != v->npending ||
	    (st->npending > 0 && st->pending[0] != v->pending0)))
		v->msgs_dirty = v->msgs_now = 1;
	/*
	 * In a flood, lines that would scroll past unseen are not drawn:
	 * the window is redrawn at most once a frame, and at once when a
	 * person did something.
	 */
	if (v->msgs_dirty && (v->msgs_now ||
	    now >= v->msgs_at + VIEW_FRAME_MS || now < v->msgs_at)) {
		draw_msgs(v, w, st);
		v->msgs_dirty = v->msgs_now = 0;
		v->msgs_at = now;
		msgs = 1;
	}
	/* So is the status line, whose unread count a flood keeps busy. */
	hold = !msgs && !v->input_dirty && now >= v->status_at &&
	    now < v->status_at + VIEW_FRAME_MS;
	if ((status = draw_status(v, st, hold)))
		v->status_at = now;
	if (v->input_dirty)
		screen_input(v->scr, e);
	if (msgs || status || v->input_dirty)
		screen_update(v->scr, msgs, status);
	v->input_dirty = 0;
}

/* The scroll model's measure of a line: its rows at a width. */
static int
measure(void *arg, const struct sb_line *l, int width)
{
	return fmt_rows(arg, l, width);
}

/* The message window's size, after a new screen or a resize. */
static void
take_size(struct view *v)
{
	screen_msgwin(v->scr, &v->height, &v->width);
	scroll_size(v->scroll, v->width, v->height);
	v->msgs_dirty = v->msgs_now = v->input_dirty = 1;
}

/* The lines the scroll model puts in the window, pending ones below. */
static void
draw_msgs(struct view *v, WINDOW *w, const struct view_status *st)
{
	static const struct attrs pending = { A_DIM, A_DIM };
	const struct sb_line	*l;
	struct fmt_line		 fl;
	struct attrs		 at;
	uint64_t		 first = sb_first(v->sb), a;
	int			 y = v->height, skip;
	size_t			 i, nicklen;
	const char		*nick;

	werase(w);
	scroll_window(v->scroll, &a, &skip);
	v->first = first;
	if (!scroll_scrolled(v->scroll)) {
		for (i = st->npending; i > 0 && y > 0; i--)
			if (fmt_pending(v->fmt, st->pending[i - 1], v->width,
			    &fl) == 0)
				y = draw_line(v, w, &fl, &pending, y, 0);
		v->npending = st->npending;
		v->pending0 = st->npending > 0 ? st->pending[0] : NULL;
	}
	for (; a > first && y > 0; a--, skip = 0) {
		if ((l = sb_get(v->sb, a - 1 - first)) == NULL ||
		    fmt_line(v->fmt, l, v->width, &fl) == -1)
			continue;
		nick = sb_line_nick(l, &nicklen);
		screen_attrs(v->scr, sb_line_kind(l), sb_line_flags(l), nick,
		    nicklen, &at.nick, &at.rest);
		y = draw_line(v, w, &fl, &at, y, skip);
	}
}

/*
 * Draws the rows of a formatted line that end above row y, less the
 * last skip of them; returns the row above the first drawn.
 */
static int
draw_line(struct view *v, WINDOW *w, const struct fmt_line *fl,
    const struct attrs *at, int y, int skip)
{
	const struct wrap_row	*wr;
	int			 n, r;

	n = fmt_wrap(v->fmt, fl, v->width, &wr);
	for (r = n - 1 - skip; r >= 0 && y > 0; r--)
		draw_row(w, fl, &wr[r], at, r == 0 ? 0 : fl->bodycol +
		    fl->extra, --y);
	return y;
}

/* A row of the line, from column x of row y, in pieces by attribute. */
static void
draw_row(WINDOW *w, const struct fmt_line *fl, const struct wrap_row *wr,
    const struct attrs *at, int x, int y)
{
	size_t	a = wr->start, b = wr->end, cut[3], lo, hi;
	attr_t	attr[3];
	int	i;

	wmove(w, y, x);
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
			screen_put(w, fl->s + (lo > a ? lo : a),
			    (hi < b ? hi : b) - (lo > a ? lo : a), attr[i]);
		lo = hi;
	}
}

/*
 * The status line, its parts left out from the least needed while it is
 * too wide; drawn unless hold keeps a change back.  Returns true if it
 * was drawn.
 */
static int
draw_status(struct view *v, const struct view_status *st, int hold)
{
	static const int drop[] = { 0, 3, 1 };	/* the first to go */
	char		 buf[VIEW_STATUS], part[6][300];
	uint64_t	 unread = scroll_unread(v->scroll);
	size_t		 len = 0, i;
	int		 r;

	snprintf(part[0], sizeof(part[0]), " [%s]", st->server);
	snprintf(part[1], sizeof(part[1]), " [%s]", st->room[0] ? st->room :
	    "-");
	snprintf(part[2], sizeof(part[2]), " [%s]", st->nick[0] ? st->nick :
	    "-");
	snprintf(part[3], sizeof(part[3]), " [%zu user%s]", st->users,
	    st->users == 1 ? "" : "s");
	snprintf(part[4], sizeof(part[4]), " [%s]", st->state);
	part[5][0] = '\0';
	if (unread > 0)
		snprintf(part[5], sizeof(part[5]), " [%llu unread]",
		    (unsigned long long)unread);
	else if (scroll_scrolled(v->scroll))
		snprintf(part[5], sizeof(part[5]), " [scrolled]");
	for (i = 0; i < 6; i++)
		len += strlen(part[i]);
	for (i = 0; i < 3 && len > (size_t)v->width; i++) {
		len -= strlen(part[drop[i]]);
		part[drop[i]][0] = '\0';
	}
	buf[0] = '\0';
	for (i = 0; i < 6; i++)
		strcat(buf, part[i]);
	r = screen_status(v->scr, buf, hold);
	v->status_held = r == -1;
	return r == 1;
}
