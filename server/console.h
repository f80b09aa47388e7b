/*
 * console.h: the operator's console on the server's stdin:
 * announcements, /who, /kick and /shutdown.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

struct chat;
struct console;
struct loop;

/*
 * Watches stdin, if it is open, for console lines; /shutdown calls
 * shutdown(arg).  NULL if it cannot be watched or out of memory.
 */
struct console	*console_new(struct loop *, struct chat *,
		    void (*shutdown)(void *), void *arg);
/* Stops watching stdin. */
void		 console_stop(struct console *);
void		 console_free(struct console *);

#endif /* CONSOLE_H */
