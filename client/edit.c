/*
 * edit.c: the input line: a UTF-8 buffer with a cursor that always sits
 * before a whole character (a base and its combining marks), the edits
 * of a readline-style line, the history of sent lines and the
 * horizontal scrolling of a field narrower than the line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "text.h"
#include "wrap.h"

#define EDIT_CHUNK	64	/* the buffer's first size */
#define EDIT_STACK	256	/* inserts this short are cleaned on the stack */

struct edit {
	char		 *buf;		/* NUL-terminated */
	size_t		  len;
	size_t		  size;		/* allocated */
	size_t		  cur;		/* cursor, a byte offset */
	size_t		  view;		/* first byte shown by edit_view() */

	char		**hist;		/* oldest first */
	size_t		  histmax;
	size_t		  nhist;
	size_t		  hpos;		/* nhist: the line being typed */
	char		 *draft;	/* that line, while in the history */

	struct edit_mark  mark;
	int		  hasmark;
};

static int	ensure(struct edit *, size_t);
static int	splice(struct edit *, size_t, size_t, const char *,
		    size_t);
static int	zerowidth(const struct edit *, size_t);
static size_t	next_char(const struct edit *, size_t);
static size_t	prev_char(const struct edit *, size_t);
static size_t	after_marks(const struct edit *, size_t);
static void	clear(struct edit *);
static int	set_text(struct edit *, const char *);
static void	hist_add(struct edit *);

/* Makes room for need bytes and a NUL. */
static int
ensure(struct edit *e, size_t need)
{
	size_t	 size = e->size;
	char	*p;

	if (need < size)
		return 0;
	while (size <= need)
		size *= 2;
	if (size > EDIT_MAX + 1)
		size = EDIT_MAX + 1;
	if ((p = realloc(e->buf, size)) == NULL)
		return -1;
	e->buf = p;
	e->size = size;
	return 0;
}

/* Replaces the bytes [from, to) with n bytes of s; keeps the cursor. */
static int
splice(struct edit *e, size_t from, size_t to, const char *s, size_t n)
{
	size_t	 newlen = e->len - (to - from) + n;

	if (newlen > EDIT_MAX || ensure(e, newlen) == -1)
		return -1;
	memmove(e->buf + from + n, e->buf + to, e->len - to + 1);
	if (n > 0)
		memcpy(e->buf + from, s, n);
	e->len = newlen;
	return 0;
}

/* True if the character at i is one drawn over its neighbour. */
static int
zerowidth(const struct edit *e, size_t i)
{
	int	cols;

	if (i >= e->len || (unsigned char)e->buf[i] < 0x80)
		return 0;
	wrap_cols(e->buf + i, e->len - i, &cols);
	return cols == 0;
}

/* The start of the character after the one at i, its marks included. */
static size_t
next_char(const struct edit *e, size_t i)
{
	uint32_t	 cp;
	int		 w;

	if (i >= e->len)
		return e->len;
	do
		i += wrap_char(e->buf + i, e->len - i, &cp, &w);
	while (zerowidth(e, i));
	return i;
}

/* The start of the character before i, marks and all. */
static size_t
prev_char(const struct edit *e, size_t i)
{
	do {
		while (i > 0 && ((unsigned char)e->buf[--i] & 0xc0) == 0x80)
			;
	} while (i > 0 && zerowidth(e, i));
	return i;
}

/*
 * i itself, or past the marks at i: text inserted before marks with no
 * base (at the start of the line) becomes their base.
 */
static size_t
after_marks(const struct edit *e, size_t i)
{
	uint32_t	 cp;
	int		 w;

	while (zerowidth(e, i))
		i += wrap_char(e->buf + i, e->len - i, &cp, &w);
	return i;
}

struct edit *
edit_new(size_t histmax)
{
	struct edit	*e;

	if ((e = calloc(1, sizeof *e)) == NULL)
		return NULL;
	if ((e->buf = malloc(EDIT_CHUNK)) == NULL)
		goto fail;
	e->buf[0] = '\0';
	e->size = EDIT_CHUNK;
	if (histmax > 0 && (e->hist = calloc(histmax, sizeof *e->hist)) ==
	    NULL)
		goto fail;
	e->histmax = histmax;
	return e;
fail:
	free(e->buf);
	free(e);
	return NULL;
}

void
edit_free(struct edit *e)
{
	size_t	 i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nhist; i++)
		free(e->hist[i]);
	free(e->hist);
	free(e->draft);
	free(e->buf);
	free(e);
}

int
edit_insert(struct edit *e, const char *s, size_t len)
{
	char	 stack[TEXT_CLEAN_MAX(EDIT_STACK)], *tmp = stack;
	size_t	 n, room;
	int	 rc = 0;

	e->hasmark = 0;
	if (len > EDIT_STACK && (len > SIZE_MAX / 3 ||
	    (tmp = malloc(TEXT_CLEAN_MAX(len))) == NULL))
		return -1;
	n = text_clean(s, len, tmp);
	room = EDIT_MAX - e->len;
	if (n > room) {
		rc = -1;
		for (n = room; n > 0 && ((unsigned char)tmp[n] & 0xc0) == 0x80;)
			n--;
	}
	if (splice(e, e->cur, e->cur, tmp, n) == -1)
		rc = -1;
	else
		e->cur = after_marks(e, e->cur + n);
	if (tmp != stack)
		free(tmp);
	return rc;
}

/* Empties the line. */
static void
clear(struct edit *e)
{
	e->hasmark = 0;
	e->len = e->cur = e->view = 0;
	e->buf[0] = '\0';
}

void
edit_left(struct edit *e)
{
	e->hasmark = 0;
	e->cur = prev_char(e, e->cur);
}

void
edit_right(struct edit *e)
{
	e->hasmark = 0;
	e->cur = next_char(e, e->cur);
}

void
edit_home(struct edit *e)
{
	e->hasmark = 0;
	e->cur = 0;
}

void
edit_end(struct edit *e)
{
	e->hasmark = 0;
	e->cur = e->len;
}

void
edit_backspace(struct edit *e)
{
	size_t	 p = prev_char(e, e->cur);

	e->hasmark = 0;
	splice(e, p, e->cur, NULL, 0);
	e->cur = p;
}

void
edit_delete(struct edit *e)
{
	e->hasmark = 0;
	splice(e, e->cur, next_char(e, e->cur), NULL, 0);
}

void
edit_kill_start(struct edit *e)
{
	e->hasmark = 0;
	splice(e, 0, e->cur, NULL, 0);
	e->cur = 0;
}

void
edit_kill_end(struct edit *e)
{
	e->hasmark = 0;
	e->len = e->cur;
	e->buf[e->len] = '\0';
}

void
edit_kill_word(struct edit *e)
{
	size_t	 p = e->cur, q;

	e->hasmark = 0;
	while (p > 0 && e->buf[q = prev_char(e, p)] == ' ')
		p = q;
	while (p > 0 && e->buf[q = prev_char(e, p)] != ' ')
		p = q;
	splice(e, p, e->cur, NULL, 0);
	e->cur = p;
}

/* Makes the line a copy of s with the cursor at its end. */
static int
set_text(struct edit *e, const char *s)
{
	size_t	 n = strlen(s);

	if (ensure(e, n) == -1)
		return -1;
	memcpy(e->buf, s, n + 1);
	e->len = e->cur = n;
	e->hasmark = 0;
	return 0;
}

void
edit_history_prev(struct edit *e)
{
	if (e->hpos == 0)
		return;
	if (e->hpos == e->nhist) {
		free(e->draft);
		if ((e->draft = strdup(e->buf)) == NULL)
			return;
	}
	if (set_text(e, e->hist[e->hpos - 1]) == 0)
		e->hpos--;
}

void
edit_history_next(struct edit *e)
{
	const char	*s;

	if (e->hpos >= e->nhist)
		return;
	s = e->hpos + 1 == e->nhist ? e->draft : e->hist[e->hpos + 1];
	if (set_text(e, s) == -1)
		return;
	if (++e->hpos == e->nhist) {
		free(e->draft);
		e->draft = NULL;
	}
}

const char *
edit_text(const struct edit *e, size_t *len)
{
	if (len != NULL)
		*len = e->len;
	return e->buf;
}

size_t
edit_cursor(const struct edit *e)
{
	return e->cur;
}

int
edit_replace(struct edit *e, size_t from, const char *s, size_t len)
{
	char	 stack[TEXT_CLEAN_MAX(EDIT_STACK)], *tmp = stack;
	size_t	 n;
	int	 rc;

	if (from > e->cur) {
		errno = EINVAL;
		return -1;
	}
	if (len > EDIT_STACK && (len > SIZE_MAX / 3 ||
	    (tmp = malloc(TEXT_CLEAN_MAX(len))) == NULL))
		return -1;
	n = text_clean(s, len, tmp);
	if ((rc = splice(e, from, e->cur, tmp, n)) == 0)
		e->cur = after_marks(e, from + n);
	if (tmp != stack)
		free(tmp);
	return rc;
}

void
edit_set_mark(struct edit *e, const struct edit_mark *m)
{
	e->mark = *m;
	e->hasmark = 1;
}

int
edit_get_mark(const struct edit *e, struct edit_mark *m)
{
	if (!e->hasmark)
		return -1;
	*m = e->mark;
	return 0;
}

/* Adds the line to the history, unless it repeats the last one. */
static void
hist_add(struct edit *e)
{
	char	*s;

	if (e->histmax == 0 || e->len == 0 ||
	    (e->nhist > 0 && strcmp(e->hist[e->nhist - 1], e->buf) == 0))
		return;
	if ((s = strdup(e->buf)) == NULL)
		return;
	if (e->nhist == e->histmax) {
		free(e->hist[0]);
		memmove(e->hist, e->hist + 1, (e->nhist - 1) * sizeof *e->hist);
		e->nhist--;
	}
	e->hist[e->nhist++] = s;
}

size_t
edit_take(struct edit *e, char *buf, size_t cap)
{
	size_t	 n = 0;

	if (cap > 0) {
		n = e->len < cap ? e->len : cap - 1;
		while (n > 0 && n < e->len &&
		    ((unsigned char)e->buf[n] & 0xc0) == 0x80)
			n--;
		memcpy(buf, e->buf, n);
		buf[n] = '\0';
	}
	hist_add(e);
	free(e->draft);
	e->draft = NULL;
	e->hpos = e->nhist;
	clear(e);
	return n;
}

void
edit_view(struct edit *e, int width, size_t *start, int *curcol)
{
	size_t	 v = e->view, n;
	int	 col, under = 1, w;

	if (width < 1)
		width = 1;
	if (v > e->cur)
		v = e->cur;
	while (v > 0 && zerowidth(e, v))
		v = prev_char(e, v);
	if (wrap_width(e->buf, e->len) < width)
		v = 0;
	col = wrap_width(e->buf + v, e->cur - v);
	if (e->cur < e->len) {
		under = wrap_width(e->buf + e->cur, next_char(e, e->cur) -
		    e->cur);
		if (under < 1)
			under = 1;
	}
	/* Scroll right by whole characters until the cursor's cell fits. */
	while (col + under > width && v < e->cur) {
		n = next_char(e, v);
		w = wrap_width(e->buf + v, n - v);
		col -= w;
		v = n;
	}
	e->view = v;
	*start = v;
	*curcol = col;
}
