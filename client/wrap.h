/*
 * wrap.h: display widths and word wrapping of UTF-8 text (wcwidth), for
 * combining marks, CJK and emoji; the locale must be a UTF-8 one.
 */
#ifndef WRAP_H
#define WRAP_H

#include <stddef.h>

struct wrap_row {
	size_t	start;		/* byte offsets into the text */
	size_t	end;		/* end of the bytes shown on this row */
};

/* Columns the text takes on a terminal. */
int	wrap_width(const char *s, size_t len);

/*
 * Breaks text into rows: the first of width columns, the next of
 * width - indent (the hanging indent), breaking after a space where one
 * is on the row and inside a word only when it does not fit a row; a
 * character is never split and spaces at a break are not shown.  Stores
 * up to max rows and returns how many rows the text needs (at least 1).
 */
int	wrap_rows(const char *s, size_t len, int width, int indent,
	    struct wrap_row *rows, int max);

#endif /* WRAP_H */
