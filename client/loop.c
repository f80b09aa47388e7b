/*
 * loop.c: one poll() over the signal pipe, the user's input and the
 * server's socket, nc-shaped: named slots, POLLOUT only while output
 * waits, a timeout from the session's next deadline and nothing else.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>

#include "clock.h"
#include "loop.h"
#include "selfpipe.h"
#include "session.h"

enum { SLOT_SIG, SLOT_IN, SLOT_NET, NSLOTS };

static int	sigfd = -1;		/* the self-pipe's read end */

static void	drain_signals(const struct loop_ui *);

int
loop_signals(void)
{
	static const int sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP,
	    SIGQUIT };

	sigfd = selfpipe_open(sigs, sizeof(sigs) / sizeof(sigs[0]));
	return sigfd == -1 ? -1 : 0;
}

void
loop_run(struct session *s, const struct loop_ui *ui)
{
	struct pollfd	pfd[NSLOTS];
	int64_t		now;
	int		timeout, ui_ms;

	while (!ui->done(ui->arg)) {
		/* Try one write before sleeping; it may end the session. */
		if (session_events(s) & POLLOUT) {
			session_io(s, POLLOUT, clock_ms());
			if (ui->done(ui->arg))
				break;
		}
		pfd[SLOT_SIG].fd = sigfd;
		pfd[SLOT_SIG].events = POLLIN;
		pfd[SLOT_IN].fd = ui->infd(ui->arg);
		pfd[SLOT_IN].events = POLLIN;
		pfd[SLOT_NET].fd = session_fd(s);
		pfd[SLOT_NET].events = session_events(s);
		timeout = session_timeout(s, clock_ms());
		if ((ui_ms = ui->timeout(ui->arg)) >= 0 &&
		    (timeout < 0 || ui_ms < timeout))
			timeout = ui_ms;
		if (poll(pfd, NSLOTS, timeout) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		now = clock_ms();
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
	int	sigs[64], n, i;

	while ((n = selfpipe_read(sigs, 64)) > 0)
		for (i = 0; i < n; i++)
			ui->signal(ui->arg, sigs[i]);
}
