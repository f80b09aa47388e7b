/*
 * selfpipe.c: the self-pipe trick: a handler that only writes one byte,
 * and a reader the event loop calls when the pipe is readable.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "selfpipe.h"

#define SELFPIPE_MAX	32	/* signals one process may catch */

static int	fds[2] = { -1, -1 };
static int	caught[SELFPIPE_MAX];
static int	ncaught;

static void	on_signal(int);
static int	setup_fd(int);

static void
on_signal(int sig)
{
	unsigned char	b = (unsigned char)sig;
	int		saved = errno;
	ssize_t		n;

	/* A full pipe already holds a wake-up for the loop. */
	n = write(fds[1], &b, 1);
	(void)n;
	errno = saved;
}

static int
setup_fd(int fd)
{
	int	fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	return 0;
}

int
selfpipe_open(const int *sigs, int n)
{
	struct sigaction	sa;
	int			i, saved;

	if (fds[0] == -1) {
		if (pipe(fds) == -1)
			return -1;
		if (setup_fd(fds[0]) == -1 || setup_fd(fds[1]) == -1) {
			saved = errno;
			selfpipe_close();
			errno = saved;
			return -1;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < n; i++) {
		if (ncaught == SELFPIPE_MAX) {
			errno = ENOSPC;
			return -1;
		}
		if (sigaction(sigs[i], &sa, NULL) == -1)
			return -1;
		caught[ncaught++] = sigs[i];
	}
	return fds[0];
}

int
selfpipe_read(int *sigs, int max)
{
	unsigned char	b;
	int		n = 0;

	while (n < max && fds[0] != -1 && read(fds[0], &b, 1) == 1)
		sigs[n++] = b;
	return n;
}

void
selfpipe_close(void)
{
	struct sigaction	sa;
	int			i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	for (i = 0; i < ncaught; i++)
		sigaction(caught[i], &sa, NULL);
	ncaught = 0;
	for (i = 0; i < 2; i++) {
		if (fds[i] != -1)
			close(fds[i]);
		fds[i] = -1;
	}
}

void
selfpipe_raise(int sig)
{
	selfpipe_close();
	raise(sig);
}
