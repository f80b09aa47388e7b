/*
 * loop.c: one poll() over the signal pipe, the user's input and the
 * server's socket, nc-shaped: named slots, POLLOUT only while output
 * waits, a timeout from the session's next deadline and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "net.h"
#include "session.h"

enum { SLOT_SIG, SLOT_IN, SLOT_NET, NSLOTS };

static int	sigpipe[2] = { -1, -1 };	/* written by the handler */

static void	on_signal(int);
static void	drain_signals(const struct loop_ui *);

int
loop_signals(void)
{
	struct sigaction sa;
	int		 i;

	if (pipe(sigpipe) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		if (net_nonblock(sigpipe[i]) == -1 ||
		    fcntl(sigpipe[i], F_SETFD, FD_CLOEXEC) == -1)
			return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return 0;
}

void
loop_run(struct session *s, const struct loop_ui *ui)
{
	struct pollfd	pfd[NSLOTS];
	int64_t		now;
	int		timeout, ui_ms;

	while (!ui->done(ui->arg)) {
		/* Try one write before sleeping. */
		if (session_events(s) & POLLOUT)
			session_io(s, POLLOUT, session_now());
		pfd[SLOT_SIG].fd = sigpipe[0];
		pfd[SLOT_SIG].events = POLLIN;
		pfd[SLOT_IN].fd = ui->infd(ui->arg);
		pfd[SLOT_IN].events = POLLIN;
		pfd[SLOT_NET].fd = session_fd(s);
		pfd[SLOT_NET].events = session_events(s);
		timeout = session_timeout(s, session_now());
		if ((ui_ms = ui->timeout(ui->arg)) >= 0 &&
		    (timeout < 0 || ui_ms < timeout))
			timeout = ui_ms;
		if (poll(pfd, NSLOTS, timeout) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		now = session_now();
		if (pfd[SLOT_SIG].revents & POLLIN)
			drain_signals(ui);
		if (pfd[SLOT_NET].fd != -1 && pfd[SLOT_NET].revents)
			session_io(s, pfd[SLOT_NET].revents, now);
		if (pfd[SLOT_IN].fd != -1 && pfd[SLOT_IN].revents)
			ui->input(ui->arg, pfd[SLOT_IN].revents);
		session_tick(s, now);
		ui->turn(ui->arg);
	}
}

static void
drain_signals(const struct loop_ui *ui)
{
	unsigned char	buf[64];
	ssize_t		n, i;

	while ((n = read(sigpipe[0], buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			ui->signal(ui->arg, buf[i]);
}

static void
on_signal(int signo)
{
	int		saved = errno;
	unsigned char	c = signo;
	ssize_t		n;

	/* A full pipe already holds a wakeup: losing this byte is fine. */
	n = write(sigpipe[1], &c, 1);
	(void)n;
	errno = saved;
}
