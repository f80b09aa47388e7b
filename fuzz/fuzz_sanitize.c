/*
 * fuzz_sanitize.c: the client's display sanitiser.  Whatever the input,
 * the output is valid UTF-8 with no control character, no escape, no
 * bidirectional control and nothing unprintable, within SANITIZE_MAX;
 * text already safe passes unchanged, so sanitising is idempotent.  The
 * wrapping of the result into rows is checked on the way.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sanitize.h"
#include "wrap.h"

#define MAXROWS	64

static void	check_wrap(const char *, size_t, int, int);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*in, *out, *again;
	size_t	 n, m;

	in = malloc(size + 1);
	out = malloc(SANITIZE_MAX(size) + 1);
	again = malloc(SANITIZE_MAX(SANITIZE_MAX(size)) + 1);
	if (in == NULL || out == NULL || again == NULL)
		abort();
	memcpy(in, data, size);

	n = sanitize(in, size, out);
	FUZZ_CHECK(n <= SANITIZE_MAX(size));
	FUZZ_CHECK(fuzz_safe(out, n));
	FUZZ_CHECK(memchr(out, '\x1b', n) == NULL);
	if (fuzz_safe(in, size))
		FUZZ_CHECK(n == size && memcmp(out, in, size) == 0);
	m = sanitize(out, n, again);
	FUZZ_CHECK(m == n && memcmp(again, out, n) == 0);

	if (size > 1)
		check_wrap(out, n, (unsigned char)in[0] % 90,
		    (unsigned char)in[1] % 20);
	free(again);
	free(out);
	free(in);
	return 0;
}

/*
 * Rows are in order, inside the text, each within its width in columns
 * unless it holds a single character too wide for any row; the last
 * ends the text, less the spaces it may end with.
 */
static void
check_wrap(const char *s, size_t len, int width, int indent)
{
	struct wrap_row	rows[MAXROWS];
	size_t		prev = 0, i, rlen;
	int		nrows, n, w;

	nrows = wrap_rows(s, len, width, indent, rows, MAXROWS);
	FUZZ_CHECK(nrows >= 1);
	n = nrows < MAXROWS ? nrows : MAXROWS;
	if (width < 1)
		width = 1;
	if (indent >= width)
		indent = width - 1;
	for (i = 0; i < (size_t)n; i++) {
		FUZZ_CHECK(rows[i].start >= prev);
		FUZZ_CHECK(rows[i].start <= rows[i].end);
		FUZZ_CHECK(rows[i].end <= len);
		prev = rows[i].end;
		rlen = rows[i].end - rows[i].start;
		w = i == 0 ? width : width - indent;
		FUZZ_CHECK(wrap_width(s + rows[i].start, rlen) <= w ||
		    wrap_fit(s + rows[i].start, rlen, w, NULL) == 0);
	}
	if (nrows <= MAXROWS)
		FUZZ_CHECK(rows[n - 1].end == len || s[len - 1] == ' ');
}
