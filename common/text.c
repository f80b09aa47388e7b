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
static int	is_invisible(uint32_t);
static size_t	skip_escape(const unsigned char *, size_t, size_t, uint32_t);
static size_t	skip_csi(const unsigned char *, size_t, size_t);
static size_t	skip_string(const unsigned char *, size_t, size_t);

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

/* Characters that take no room and could hide a word's true spelling. */
static int
is_invisible(uint32_t cp)
{
	return cp == 0x200b || cp == 0x2060 || cp == 0xfeff;
}

/*
 * Skips the parameters, intermediates and final byte of a control
 * sequence starting at i; a byte that cannot belong to it ends it there.
 */
static size_t
skip_csi(const unsigned char *s, size_t len, size_t i)
{
	while (i < len && s[i] >= 0x20 && s[i] <= 0x3f)
		i++;
	if (i < len && s[i] >= 0x40 && s[i] <= 0x7e)
		i++;
	return i;
}

/*
 * Skips a control string (OSC, DCS, SOS, PM, APC) starting at i, up to
 * and including its terminator: BEL, ESC \ or ST (U+009C); an
 * unterminated one runs to the end of the text.
 */
static size_t
skip_string(const unsigned char *s, size_t len, size_t i)
{
	for (; i < len; i++) {
		if (s[i] == 0x07)
			return i + 1;
		if (s[i] == 0x1b && i + 1 < len && s[i + 1] == '\\')
			return i + 2;
		if (s[i] == 0xc2 && i + 1 < len && s[i + 1] == 0x9c)
			return i + 2;
	}
	return len;
}

/*
 * Skips the escape sequence whose introducer cp (ESC, or a C1 CSI or
 * string introducer) ends just before i; returns where it ends.  ESC
 * alone, or before a byte that starts no sequence, is just itself.
 */
static size_t
skip_escape(const unsigned char *s, size_t len, size_t i, uint32_t cp)
{
	if (cp == 0x9b)
		return skip_csi(s, len, i);
	if (cp == 0x90 || cp == 0x98 || cp == 0x9d || cp == 0x9e ||
	    cp == 0x9f)
		return skip_string(s, len, i);
	if (cp != 0x1b || i >= len)
		return i;
	switch (s[i]) {
	case '[':
		return skip_csi(s, len, i + 1);
	case ']':
	case 'P':
	case 'X':
	case '^':
	case '_':
		return skip_string(s, len, i + 1);
	}
	/* ESC, intermediates, a final byte: ESC ( B, ESC 7, ESC c. */
	while (i < len && s[i] >= 0x20 && s[i] <= 0x2f)
		i++;
	if (i < len && s[i] >= 0x30 && s[i] <= 0x7e)
		i++;
	return i;
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
		else if (cp == 0x1b || (cp >= 0x90 && cp <= 0x9f)) {
			i = skip_escape(s, len, i + n, cp);
			continue;
		} else if (!is_control(cp) && !is_invisible(cp)) {
			memcpy(out + o, s + i, n);
			o += n;
		}
		i += n;
	}
	return o;
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
