/*
 * sanitize.c: text from the network made safe for a terminal: controls
 * shown as pictures, anything else a terminal might act on replaced.
 */
#include <stdint.h>
#include <string.h>

#include "sanitize.h"
#include "wrap.h"

static int	printable8(const char *);
static int	is_bidi(uint32_t);
static int	is_invisible(uint32_t);
static size_t	put_utf8(char *, uint32_t);

/*
 * True if the 8 bytes at s are all printable ASCII (0x20 to 0x7e): no
 * byte has its top bit, none borrows below 0x20, none carries past 0x7e.
 * The lowest byte out of range always shows, whatever the byte order.
 */
static int
printable8(const char *s)
{
	uint64_t	w;

	memcpy(&w, s, sizeof(w));
	w = (w - 0x2020202020202020ULL) | w | (w + 0x0101010101010101ULL);
	return (w & 0x8080808080808080ULL) == 0;
}

/* The controls that reorder text, which could hide or fake what is said. */
static int
is_bidi(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

/* Zero-width characters that could hide a word's true spelling. */
static int
is_invisible(uint32_t cp)
{
	return cp == 0x200b || cp == 0x2060 || cp == 0xfeff;
}

/* Encodes a code point of the BMP or above; returns its length. */
static size_t
put_utf8(char *out, uint32_t cp)
{
	unsigned char	*o = (unsigned char *)out;

	if (cp < 0x800) {
		o[0] = 0xc0 | (cp >> 6);
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | (cp >> 12);
		o[1] = 0x80 | ((cp >> 6) & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | (cp >> 18);
	o[1] = 0x80 | ((cp >> 12) & 0x3f);
	o[2] = 0x80 | ((cp >> 6) & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

size_t
sanitize(const char *in, size_t len, char *out)
{
	size_t		 i = 0, o = 0, n;
	uint32_t	 cp;
	int		 w;
	unsigned char	 c;

	while (i < len) {
		/* Printable ASCII, the bulk of any text, is copied in runs. */
		for (n = i; len - n >= 8 && printable8(in + n); n += 8)
			;
		for (; n < len && (unsigned char)in[n] >= 0x20 &&
		    (unsigned char)in[n] < 0x7f; n++)
			;
		if (n > i) {
			memcpy(out + o, in + i, n - i);
			o += n - i;
			i = n;
			continue;
		}
		c = (unsigned char)in[i];
		if (c < 0x20 || c == 0x7f) {
			o += put_utf8(out + o, c == 0x7f ? 0x2421 : 0x2400 + c);
			i++;
			continue;
		}
		n = wrap_char(in + i, len - i, &cp, &w);
		if (is_invisible(cp)) {
			/* Not shown at all: nothing to see, nothing to fake. */
		} else if (w < 0 || is_bidi(cp) || cp == 0xfffd) {
			o += put_utf8(out + o, 0xfffd);
		} else {
			memcpy(out + o, in + i, n);
			o += n;
		}
		i += n;
	}
	return o;
}
