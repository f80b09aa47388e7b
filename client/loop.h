/*
 * loop.h: the client's poll() loop over the user's input, the server
 * connection and a self-pipe for signals; it knows nothing of screens.
 */
#ifndef LOOP_H
#define LOOP_H

struct session;

/* What the loop calls back; arg is passed to each. */
struct loop_ui {
	void	*arg;
	int	(*infd)(void *arg);		/* input to watch, -1: none */
	void	(*input)(void *arg, short revents);	/* input is ready */
	void	(*signal)(void *arg, int signo);	/* a caught signal */
	void	(*turn)(void *arg);		/* end of a turn: draw */
	int	(*done)(void *arg);		/* true: leave the loop */
	/* Milliseconds until turn() has deferred work, -1 if none. */
	int	(*timeout)(void *arg);
};

/*
 * Routes SIGWINCH, SIGINT, SIGTERM, SIGHUP and SIGQUIT to the self-pipe
 * and ignores SIGPIPE; -1 if the pipe cannot be made.  Whoever handles
 * SIGQUIT puts things right and then dies of it by its default action
 * (selfpipe_close(), raise()).
 */
int	loop_signals(void);

/*
 * Runs until ui->done() says so: each turn reads the socket (everything
 * the kernel holds, up to a budget), then the input, then the timers,
 * and then calls ui->turn() once.  poll() sleeps until the session's
 * next deadline or ui->timeout(), whichever is sooner.
 */
void	loop_run(struct session *, const struct loop_ui *);

#endif /* LOOP_H */
