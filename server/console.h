/*
 * console.h: the operator's console on the server's stdin:
 * announcements, /who, /kick and /shutdown.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stddef.h>
#include <stdio.h>

struct server;

/* Starts watching stdin if it is open; -1 if it cannot be watched. */
int	console_start(struct server *);
/* Stops watching stdin and frees the console. */
void	console_stop(struct server *);

/* Carries out one console line; replies go to out. */
void	console_line(struct server *, const char *, size_t, FILE *out);

#endif /* CONSOLE_H */
