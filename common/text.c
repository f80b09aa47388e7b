/*
 * text.c: UTF-8 hygiene.  Invalid input becomes U+FFFD, one per maximal
 * invalid subpart (Unicode's recommended practice), and controls go.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "text.h"

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

static size_t	utf8_scan(const unsigned char *, size_t, uint32_t *);
static int	is_control(uint32_t);

/*
 * Looks at the sequence at s (len bytes, at least 1).  A valid one: stores
 * the character in *cp and returns its length.  An invalid one: stores
 * UINT32_MAX and returns the length of its maximal invalid subpart, the
 * longest prefix that could begin a valid sequence (at least 1 byte).
 */
static size_t
utf8_scan(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char	 c = s[0], lo = 0x80, hi = 0xbf;
	size_t		 need, i;
	uint32_t	 v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong below U+0800 */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates D800-DFFF */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* overlong below U+10000 */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		*cp = UINT32_MAX;	/* continuation, C0, C1, F5-FF */
		return 1;
	}
	for (i = 1; i < need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			*cp = UINT32_MAX;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return need;
}

/* C0 controls, DEL and C1 controls. */
static int
is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

size_t
text_clean(const char *in, size_t len, char *out)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 i = 0, o = 0, n, run;
	uint32_t		 cp;

	while (i < len) {
		/* Printable ASCII is copied a run at a time. */
		for (run = i; run < len && s[run] >= 0x20 && s[run] < 0x7f;
		    run++)
			;
		if (run > i) {
			memcpy(out + o, s + i, run - i);
			o += run - i;
			i = run;
			continue;
		}
		n = utf8_scan(s + i, len - i, &cp);
		if (cp == UINT32_MAX) {
			memcpy(out + o, REPLACEMENT, 3);
			o += 3;
		} else if (cp == '\t')
			out[o++] = ' ';
		else if (!is_control(cp)) {
			memcpy(out + o, s + i, n);
			o += n;
		}
		i += n;
	}
	return o;
}

int
text_is_clean(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0;
	uint32_t		 cp;

	while (i < len) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			i++;
			continue;
		}
		i += utf8_scan(u + i, len - i, &cp);
		if (cp == UINT32_MAX || is_control(cp))
			return 0;
	}
	return 1;
}

size_t
text_decode(const char *s, size_t len, uint32_t *cp)
{
	size_t	n;

	if (len == 0) {
		*cp = 0xfffd;
		return 0;
	}
	n = utf8_scan((const unsigned char *)s, len, cp);
	if (*cp == UINT32_MAX) {
		*cp = 0xfffd;
		return 0;
	}
	return n;
}

size_t
text_prefix(const char *s, size_t len, size_t max)
{
	size_t	i;

	if (len <= max)
		return len;
	/* Back off over at most three continuation bytes. */
	for (i = max; i > 0 && max - i < 3; i--) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			break;
	}
	if (((unsigned char)s[i] & 0xc0) == 0x80)
		return max;	/* not UTF-8 here: cut where asked */
	return i;
}
