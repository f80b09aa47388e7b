/*
 * color.h: a nick's colour, from a stable hash of the nick.
 */
#ifndef COLOR_H
#define COLOR_H

#include <stddef.h>

/* An index in [0, ncolors), the same for a nick in any case. */
int	nick_color(const char *nick, size_t len, int ncolors);

#endif /* COLOR_H */
