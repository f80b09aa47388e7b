/*
 * wrap.c: display widths of UTF-8 text and greedy word wrapping with a
 * hanging indent, counted in terminal columns.
 */
#include <limits.h>
#include <string.h>
#include <wchar.h>

#include "text.h"
#include "wrap.h"

static int	cpwidth(const char *, size_t, uint32_t);
static void	row_break(const char *, size_t, size_t, int, size_t *,
		    size_t *);

/* wcwidth() of a decoded character whose n bytes are at s. */
static int
cpwidth(const char *s, size_t n, uint32_t cp)
{
#ifdef __STDC_ISO_10646__
	(void)s;
	(void)n;
	return wcwidth((wchar_t)cp);
#else
	mbstate_t	 st;
	wchar_t		 wc;

	(void)cp;
	memset(&st, 0, sizeof st);
	if (mbrtowc(&wc, s, n, &st) != n)
		return -1;
	return wcwidth(wc);
#endif
}

size_t
wrap_char(const char *s, size_t len, uint32_t *cp, int *width)
{
	unsigned char	 c = (unsigned char)s[0];
	size_t		 n;

	if (c < 0x80) {
		*cp = c;
		*width = (c >= 0x20 && c < 0x7f) ? 1 : -1;
		return 1;
	}
	if ((n = text_decode(s, len, cp)) == 0) {
		*cp = 0xfffd;
		*width = 1;
		return 1;
	}
	*width = cpwidth(s, n, *cp);
	return n;
}

size_t
wrap_cols(const char *s, size_t len, int *cols)
{
	uint32_t	 cp;
	size_t		 n;

	if ((unsigned char)s[0] < 0x80) {
		*cols = 1;
		return 1;
	}
	n = wrap_char(s, len, &cp, cols);
	if (*cols < 0)
		*cols = 1;
	return n;
}

int
wrap_width(const char *s, size_t len)
{
	size_t		 i = 0;
	long		 cols = 0;
	int		 w;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			cols++;
			i++;
			continue;
		}
		i += wrap_cols(s + i, len - i, &w);
		cols += w;
	}
	return cols > INT_MAX ? INT_MAX : (int)cols;
}

size_t
wrap_fit(const char *s, size_t len, int cols, int *used)
{
	size_t		 i = 0, n;
	int		 col = 0, w;

	while (i < len) {
		n = wrap_cols(s + i, len - i, &w);
		if (col + w > cols)
			break;
		col += w;
		i += n;
	}
	if (used != NULL)
		*used = col;
	return i;
}

/*
 * Finds where the row starting at pos ends when it has avail columns:
 * *end is the end of the bytes shown, *next the start of the next row.
 * A row breaks at the last run of spaces that follows something shown,
 * else before the character that does not fit; it always takes at least
 * one character.
 */
static void
row_break(const char *s, size_t len, size_t pos, int avail, size_t *end,
    size_t *next)
{
	size_t		 i = pos, n, run = pos, bend = 0, bnext = 0;
	int		 col = 0, w, seen = 0, inspace = 0, havebrk = 0;
	unsigned char	 c;

	while (i < len) {
		c = (unsigned char)s[i];
		if (c == ' ') {
			if (!inspace)
				run = i;
			inspace = 1;
			n = 1;
			w = 1;
		} else {
			if (inspace && seen) {
				bend = run;
				bnext = i;
				havebrk = 1;
			}
			inspace = 0;
			if (c < 0x80) {
				n = 1;
				w = 1;
			} else
				n = wrap_cols(s + i, len - i, &w);
		}
		if (w > 0 && col + w > avail && i > pos) {
			if (c == ' ') {
				*end = seen ? run : i;
				while (i < len && s[i] == ' ')
					i++;
				*next = i;
			} else if (havebrk) {
				*end = bend;
				*next = bnext;
			} else
				*end = *next = i;
			return;
		}
		if (c != ' ')
			seen = 1;
		col += w;
		i += n;
	}
	*end = *next = len;
}

int
wrap_rows(const char *s, size_t len, int width, int indent,
    struct wrap_row *rows, int max)
{
	size_t		 pos = 0, end, next;
	int		 n = 0, avail;

	if (width < 1)
		width = 1;
	if (indent >= width)
		indent = width - 1;
	if (indent < 0)
		indent = 0;
	avail = width;
	for (;;) {
		row_break(s, len, pos, avail, &end, &next);
		if (n < max) {
			rows[n].start = pos;
			rows[n].end = end;
		}
		if (n < INT_MAX)
			n++;
		if (next >= len)
			break;
		pos = next;
		avail = width - indent;
	}
	return n;
}
