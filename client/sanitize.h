/*
 * sanitize.h: makes text from the network safe to put on a terminal.
 */
#ifndef SANITIZE_H
#define SANITIZE_H

#include <stddef.h>

#define SANITIZE_MAX(len)	((len) * 3)

/*
 * Copies in to out (SANITIZE_MAX(len) bytes) so that what reaches the
 * terminal is valid UTF-8 with nothing it would act on: C0 controls and
 * DEL become their visible pictures (U+2400 to U+2421), C1 controls,
 * invalid UTF-8, bidirectional controls (U+202A to U+202E, U+2066 to
 * U+2069, U+200E, U+200F, U+061C) and characters wcwidth() calls
 * unprintable become U+FFFD; the zero-width U+200B, U+2060 and U+FEFF
 * are dropped.  Returns bytes written.
 */
size_t	sanitize(const char *in, size_t len, char *out);

#endif /* SANITIZE_H */
