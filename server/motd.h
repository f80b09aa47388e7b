/*
 * motd.h: the message of the day, read from a file as clean lines, each
 * at most MOTD_WIDTH bytes, long ones cut on character boundaries.
 */
#ifndef MOTD_H
#define MOTD_H

#include <stddef.h>

#define MOTD_WIDTH	1000	/* bytes of a line shown */
#define MOTD_MAXLINES	100	/* lines shown */

/*
 * The lines of path, NULL-terminated; NULL with errno set if it cannot
 * be read whole (a directory, say).
 */
char	**motd_load(const char *path);
void	  motd_free(char **);

#endif /* MOTD_H */
