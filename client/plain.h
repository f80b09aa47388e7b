/*
 * plain.h: the client without curses, for pipes and scripts: lines from
 * stdin are sent, events are printed on stdout as text-mode lines.
 */
#ifndef PLAIN_H
#define PLAIN_H

struct session;
struct session_cb;
struct plain;

struct plain	*plain_new(void);		/* NULL if out of memory */
void		 plain_free(struct plain *);

/* The callbacks a session reports to, for session_new(). */
void		 plain_callbacks(struct plain *, struct session_cb *);

/*
 * Runs until stdin has ended and the server has closed the connection,
 * or a signal; returns the exit status.
 */
int		 plain_run(struct plain *, struct session *);

#endif /* PLAIN_H */
