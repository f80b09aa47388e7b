/*
 * check.c: invariants shared by the fuzz targets, written from the
 * Unicode definitions rather than from the code under test.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "check.h"

static int	is_control(uint32_t);
static int	is_bidi(uint32_t);

void
fuzz_fail(const char *cond, const char *file, int line)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, cond);
	abort();
}

size_t
fuzz_utf8(const char *s, size_t len, uint32_t *cp)
{
	static const uint32_t	 min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n, i;
	uint32_t		 v;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		n = 2;
		v = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		n = 3;
		v = u[0] & 0x0f;
	} else if ((u[0] & 0xf8) == 0xf0) {
		n = 4;
		v = u[0] & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (u[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond the last plane. */
	if (v < min[n] || (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
		return 0;
	*cp = v;
	return n;
}

/* C0, DEL and C1. */
static int
is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Embeddings, overrides, isolates and the directional marks. */
static int
is_bidi(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

/* The zero-width characters that text_clean() and sanitize() drop. */
static int
is_invisible(uint32_t cp)
{
	return cp == 0x200b || cp == 0x2060 || cp == 0xfeff;
}

int
fuzz_clean(const char *s, size_t len)
{
	size_t		i = 0, n;
	uint32_t	cp;

	while (i < len) {
		if ((n = fuzz_utf8(s + i, len - i, &cp)) == 0 ||
		    is_control(cp) || is_invisible(cp))
			return 0;
		i += n;
	}
	return 1;
}

int
fuzz_safe(const char *s, size_t len)
{
	size_t		i = 0, n;
	uint32_t	cp;

	while (i < len) {
		if ((n = fuzz_utf8(s + i, len - i, &cp)) == 0 ||
		    is_control(cp) || is_bidi(cp) || is_invisible(cp) ||
		    wcwidth((wchar_t)cp) < 0)
			return 0;
		i += n;
	}
	return 1;
}

/*
 * Every target runs in a UTF-8 locale, as chat-client does: widths come
 * from wcwidth(), and text hygiene does not depend on the locale.
 */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL &&
	    setlocale(LC_CTYPE, "en_US.UTF-8") == NULL) {
		fprintf(stderr, "fuzz: no UTF-8 locale\n");
		abort();
	}
	return 0;
}
