/*
 * selfpipe.h: signals turned into bytes on a pipe, so that an event loop
 * learns of them by reading a descriptor and acts on them outside the
 * handler.
 */
#ifndef SELFPIPE_H
#define SELFPIPE_H

/*
 * Catches each of the n signals in sigs (with SA_RESTART) by writing its
 * number to a non-blocking, close-on-exec pipe, and ignores SIGPIPE.
 * Returns the pipe's read end, or -1 with errno set.  One pipe per
 * process: a second call returns the same descriptor after adding the
 * new signals.
 */
int	selfpipe_open(const int *sigs, int n);

/*
 * Reads every signal waiting on the pipe, oldest first, into sigs (up to
 * max); returns how many.  Never blocks.
 */
int	selfpipe_read(int *sigs, int max);

/* Restores the default action of every caught signal; closes the pipe. */
void	selfpipe_close(void);

/*
 * selfpipe_close(), then raises sig: the process ends by sig's default
 * action (a core for SIGQUIT), as if it had never been caught.
 */
void	selfpipe_raise(int sig);

#endif /* SELFPIPE_H */
