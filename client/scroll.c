/*
 * scroll.c: the scroll position as a line number and the rows of it
 * hidden below the window, and a ring of row counts beside the
 * scrollback's, one slot per line it can hold, so that a line is laid
 * out once per width however often the window moves over it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "scroll.h"
#include "scrollback.h"

struct scroll {
	const struct sb	*sb;
	scroll_rows_fn	*rows_fn;
	void		*arg;
	uint32_t	*rows;		/* line n's rows in slot n % cap; 0: unknown */
	size_t		 cap;
	uint64_t	 known;		/* lines below this had their slot reset */
	int		 width, height;
	int		 scrolled;
	uint64_t	 anchor;	/* the line on the bottom row */
	int		 skip;		/* its rows hidden below the window */
	uint64_t	 seen;		/* lines below this were shown */
};

static void	forget_new(struct scroll *);
static int	line_rows(struct scroll *, uint64_t);
static void	page_up(struct scroll *, int);
static void	page_down(struct scroll *, int);
static void	clamp(struct scroll *);
static void	clamp_top(struct scroll *);
static void	top_position(struct scroll *);
static void	check_bottom(struct scroll *);

struct scroll *
scroll_new(const struct sb *sb, scroll_rows_fn *rows, void *arg)
{
	struct scroll	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->sb = sb;
	s->rows_fn = rows;
	s->arg = arg;
	s->cap = sb_limit(sb);
	s->known = sb_total(sb);
	/* Pages of the ring the window never visits stay untouched. */
	if ((s->rows = calloc(s->cap, sizeof(*s->rows))) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
scroll_free(struct scroll *s)
{
	if (s == NULL)
		return;
	free(s->rows);
	free(s);
}

void
scroll_size(struct scroll *s, int width, int height)
{
	uint64_t	a;

	if (width != s->width) {
		forget_new(s);
		for (a = sb_first(s->sb); a < sb_total(s->sb); a++)
			s->rows[a % s->cap] = 0;
		s->width = width;
	}
	s->height = height;
	clamp(s);
}

void
scroll_move(struct scroll *s, enum scroll_move m)
{
	int	step = s->height > 2 ? s->height - 1 : 1;

	if (sb_count(s->sb) == 0 || s->height <= 0)
		return;
	switch (m) {
	case SCROLL_PGUP:
		page_up(s, step);
		break;
	case SCROLL_PGDN:
		page_down(s, step);
		break;
	case SCROLL_TOP:
		top_position(s);
		break;
	case SCROLL_BOTTOM:
		s->scrolled = 0;
		break;
	}
	check_bottom(s);
}

void
scroll_cleared(struct scroll *s)
{
	s->scrolled = 0;
	s->seen = sb_total(s->sb);
}

int
scroll_scrolled(struct scroll *s)
{
	clamp(s);
	return s->scrolled;
}

uint64_t
scroll_unread(struct scroll *s)
{
	uint64_t	total = sb_total(s->sb);

	clamp(s);
	return s->scrolled && total > s->seen ? total - s->seen : 0;
}

void
scroll_window(struct scroll *s, uint64_t *end, int *skip)
{
	clamp(s);
	if (s->scrolled) {
		*end = s->anchor + 1;
		*skip = s->skip;
	} else {
		*end = sb_total(s->sb);
		*skip = 0;
	}
	if (*end > s->seen)
		s->seen = *end;
}

/*
 * The slots of lines added since the last look belonged to lines that
 * have left the ring: they are reset once, as the lines come.
 */
static void
forget_new(struct scroll *s)
{
	uint64_t	total = sb_total(s->sb), a = s->known;

	if (total - a > s->cap)
		a = total - s->cap;
	for (; a < total; a++)
		s->rows[a % s->cap] = 0;
	s->known = total;
}

/* The rows line number a takes at the current width. */
static int
line_rows(struct scroll *s, uint64_t a)
{
	const struct sb_line	*l;
	uint32_t		*slot;
	int			 n;

	forget_new(s);
	slot = &s->rows[a % s->cap];
	if (*slot != 0)
		return (int)*slot;
	if ((l = sb_get(s->sb, a - sb_first(s->sb))) == NULL)
		return 1;
	if ((n = s->rows_fn(s->arg, l, s->width)) < 1)
		n = 1;
	*slot = (uint32_t)n;
	return n;
}

static void
page_up(struct scroll *s, int step)
{
	uint64_t	first = sb_first(s->sb);

	if (!s->scrolled) {
		s->scrolled = 1;
		s->anchor = sb_total(s->sb) - 1;
		s->skip = 0;
	}
	s->skip += step;
	while (s->anchor > first && s->skip >= line_rows(s, s->anchor))
		s->skip -= line_rows(s, s->anchor--);
	clamp(s);
}

static void
page_down(struct scroll *s, int step)
{
	uint64_t	total = sb_total(s->sb);

	if (!s->scrolled)
		return;
	s->skip -= step;
	while (s->skip < 0) {
		if (s->anchor + 1 >= total) {
			s->skip = 0;
			break;
		}
		s->skip += line_rows(s, ++s->anchor);
	}
}

/*
 * Keeps the position on a line that is still held, and the window full:
 * when the lines it stood on, or lines above them, have left the ring,
 * the oldest line held goes to the top row.
 */
static void
clamp(struct scroll *s)
{
	int	n;

	if (!s->scrolled)
		return;
	if (sb_count(s->sb) == 0) {
		s->scrolled = 0;
		return;
	}
	if (s->anchor < sb_first(s->sb)) {
		top_position(s);
		return;
	}
	if (s->skip >= (n = line_rows(s, s->anchor)))
		s->skip = n - 1;
	if (s->skip < 0)
		s->skip = 0;
	clamp_top(s);
}

/* Scrolling back stops when the oldest line reaches the top row. */
static void
clamp_top(struct scroll *s)
{
	uint64_t	first = sb_first(s->sb), a = s->anchor;
	int		rows = line_rows(s, a) - s->skip;

	while (rows < s->height && a > first)
		rows += line_rows(s, --a);
	if (rows < s->height)
		top_position(s);
}

/* The oldest line on the top row, or no scrolling if all fits. */
static void
top_position(struct scroll *s)
{
	uint64_t	a = sb_first(s->sb), total = sb_total(s->sb);
	int		rows = 0;

	for (; a < total; a++) {
		rows += line_rows(s, a);
		if (rows >= s->height) {
			s->scrolled = 1;
			s->anchor = a;
			s->skip = rows - s->height;
			return;
		}
	}
	s->scrolled = 0;
}

/* Back at the newest line's last row is back at the bottom. */
static void
check_bottom(struct scroll *s)
{
	if (s->scrolled && s->anchor + 1 >= sb_total(s->sb) && s->skip == 0)
		s->scrolled = 0;
}
