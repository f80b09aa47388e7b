/*
 * text.h: UTF-8 hygiene for text that crosses the wire.
 */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>
#include <stdint.h>

/* The most bytes text_clean() writes for len bytes of input. */
#define TEXT_CLEAN_MAX(len)	((len) * 3)

/*
 * Copies in to out: valid UTF-8 passes unchanged; every invalid sequence
 * (bad continuation, overlong form, surrogate, above U+10FFFF, truncated)
 * becomes U+FFFD, one per maximal invalid subpart.  Escape sequences are
 * removed whole (CSI, a control string such as OSC up to its BEL or ST,
 * ESC and its final byte), and so are the other C0 and C1 controls, DEL
 * and the zero-width U+200B, U+2060 and U+FEFF; TAB becomes a space.
 * out holds TEXT_CLEAN_MAX(len) bytes.  Returns bytes written.  Cleaning
 * clean text changes nothing.
 */
size_t	text_clean(const char *in, size_t len, char *out);

/*
 * Decodes one UTF-8 character at s (at most len bytes); stores it in *cp
 * and returns its length, or returns 0 and stores U+FFFD for an invalid
 * or truncated sequence, of which the caller skips one byte.
 */
size_t	text_decode(const char *s, size_t len, uint32_t *cp);

/* The longest prefix of s, at most max bytes, that ends on a character. */
size_t	text_prefix(const char *s, size_t len, size_t max);

#endif /* TEXT_H */
