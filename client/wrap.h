/*
 * wrap.h: display widths and word wrapping of UTF-8 text (wcwidth), for
 * combining marks, CJK and emoji; the locale must be a UTF-8 one.
 */
#ifndef WRAP_H
#define WRAP_H

#include <stddef.h>
#include <stdint.h>

struct wrap_row {
	size_t	start;		/* byte offsets into the text */
	size_t	end;		/* end of the bytes shown on this row */
};

/*
 * Reads the character at s (len > 0): returns its length in bytes, 1 for
 * a byte that does not begin a valid UTF-8 sequence (read as U+FFFD),
 * and stores its code point and its wcwidth() (-1: unprintable, which
 * includes every control character).
 */
size_t	wrap_char(const char *s, size_t len, uint32_t *cp, int *width);

/*
 * The columns of the character at s as the wrapping counts them: 0 for a
 * combining mark, 2 for a wide one, 1 for an unprintable one (shown by a
 * replacement); returns its length in bytes like wrap_char().
 */
size_t	wrap_cols(const char *s, size_t len, int *cols);

/* Columns the text takes on a terminal. */
int	wrap_width(const char *s, size_t len);

/*
 * The longest prefix of s, in bytes, of whole characters (a combining
 * mark stays with its base) that takes at most cols columns; its columns
 * go to *used unless used is NULL.
 */
size_t	wrap_fit(const char *s, size_t len, int cols, int *used);

/*
 * Breaks text into rows: the first of width columns, the next of
 * width - indent (the hanging indent), breaking after a space where one
 * is on the row and inside a word only when it does not fit a row; a
 * character is never split and spaces at a break are not shown.  Stores
 * up to max rows and returns how many rows the text needs (at least 1).
 * A width below 1 counts as 1 and the indent is kept below the width; a
 * character wider than a row gets a row of its own.
 */
int	wrap_rows(const char *s, size_t len, int width, int indent,
	    struct wrap_row *rows, int max);

#endif /* WRAP_H */
