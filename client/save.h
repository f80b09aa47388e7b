/*
 * save.h: the scrollback written out as text, one line per line held,
 * as the window shows it before wrapping (the client's /save).
 */
#ifndef SAVE_H
#define SAVE_H

#include <stdio.h>

struct sb;

/*
 * Writes every line sb holds, oldest first, as "HH:MM <nick> text" and
 * its kin, each ending in LF; returns the number of lines written, or
 * -1 with errno set if a write failed.
 */
long	save_write(const struct sb *, FILE *);

/*
 * Writes the scrollback to path, replacing the file (mode 0600 when
 * new); returns the number of lines, or -1 with errno set.
 */
long	save_file(const struct sb *, const char *path);

#endif /* SAVE_H */
