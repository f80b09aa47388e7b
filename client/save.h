/*
 * save.h: the scrollback written out as text, one line per line held,
 * as the window shows it before wrapping (the client's /save).
 */
#ifndef SAVE_H
#define SAVE_H

struct sb;

/*
 * Writes every line the scrollback holds to path, oldest first, as
 * "HH:MM <nick> text" and its kin (format.h), each ending in LF,
 * replacing the file (mode 0600 when new); returns the number of lines,
 * or -1 with errno set.
 */
long	save_file(const struct sb *, const char *path);

#endif /* SAVE_H */
