/*
 * plain.c: plain mode: each line read from stdin is sent as typed; each
 * event is printed on stdout as one text-mode line, made safe for a
 * terminal.  At the end of stdin it sends what is left, waits until the
 * server has acknowledged every message (reconnecting meanwhile if need
 * be), half-closes and prints what the server still says until it
 * closes.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linebuf.h"
#include "log.h"
#include "loop.h"
#include "plain.h"
#include "proto.h"
#include "sanitize.h"
#include "selfpipe.h"
#include "session.h"

#define PLAIN_RENDER	(PROTO_MAXFRAME + 256)
#define PLAIN_INBUF	(64 * 1024)

struct plain {
	struct session	*s;
	struct linebuf	*in;
	char		*render;
	char		*clean;
	int		 eof;		/* stdin has ended */
	int		 quit;
	int		 status;
};

static void	on_frame(void *, const struct frame *, int);
static void	on_bad(void *, const char *, size_t);
static void	on_state(void *, enum session_state, const char *);
static int	ui_infd(void *);
static void	ui_input(void *, short);
static void	ui_signal(void *, int);
static void	ui_turn(void *);
static int	ui_done(void *);
static int	ui_timeout(void *);
static void	print(struct plain *, const char *, size_t);

struct plain *
plain_new(void)
{
	struct plain	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->in = linebuf_new(SESSION_MAXLINE + 1, PLAIN_INBUF, 0);
	p->render = malloc(PLAIN_RENDER);
	p->clean = malloc(SANITIZE_MAX(PLAIN_RENDER) + 1);
	if (p->in == NULL || p->render == NULL || p->clean == NULL) {
		plain_free(p);
		return NULL;
	}
	return p;
}

void
plain_free(struct plain *p)
{
	if (p == NULL)
		return;
	linebuf_free(p->in);
	free(p->render);
	free(p->clean);
	free(p);
}

void
plain_callbacks(struct plain *p, struct session_cb *cb)
{
	cb->arg = p;
	cb->frame = on_frame;
	cb->bad = on_bad;
	cb->state = on_state;
}

int
plain_run(struct plain *p, struct session *s)
{
	struct loop_ui	ui = { p, ui_infd, ui_input, ui_signal, ui_turn,
			    ui_done, ui_timeout };

	p->s = s;
	loop_run(s, &ui);
	session_close(s);
	if (fflush(stdout) == EOF && p->status == 0) {
		log_warn("stdout");
		p->status = 1;
	}
	return p->status;
}

/* Replayed history gets its time, as in text mode. */
static void
on_frame(void *arg, const struct frame *f, int flags)
{
	struct plain	*p = arg;
	int		 n;

	if (f->kind == FRAME_UNKNOWN)
		return;
	n = proto_render_text(f, (flags & SESSION_REPLAY) ? RENDER_TIME : 0,
	    p->render, PLAIN_RENDER);
	if (n > 0)
		print(p, p->render, n);
}

static void
on_bad(void *arg, const char *line, size_t len)
{
	struct plain	*p = arg;

	if (line == NULL)
		log_warnx("a line from the server was too long; dropped");
	else
		print(p, line, len);
}

static void
on_state(void *arg, enum session_state st, const char *why)
{
	struct plain	*p = arg;

	/* The server closing after our end of input is the normal end. */
	if (st == SESSION_DOWN && !session_done(p->s))
		log_warnx("disconnected: %s; reconnecting", why);
}

/* Reads stdin while the session keeps up with sending. */
static int
ui_infd(void *arg)
{
	struct plain	*p = arg;

	return p->eof || session_busy(p->s) ? -1 : STDIN_FILENO;
}

static void
ui_input(void *arg, short revents)
{
	struct plain	*p = arg;
	char		*space, *line;
	size_t		 avail, len;
	ssize_t		 n;
	int		 r;

	(void)revents;
	if ((space = linebuf_space(p->in, &avail)) == NULL) {
		log_warnx("out of memory");
		p->quit = p->status = 1;
		return;
	}
	if ((n = read(STDIN_FILENO, space, avail)) == -1 &&
	    (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0)
		linebuf_commit(p->in, n);
	else if (n == 0 && linebuf_pending(p->in) > 0)
		linebuf_feed(p->in, "\n", 1);	/* a last line without LF */
	while ((r = linebuf_next(p->in, &line, &len)) != LINEBUF_NONE) {
		if (r == LINEBUF_TOOLONG)
			log_warnx("input line longer than %d bytes; dropped",
			    SESSION_MAXLINE);
		else if (len > 0 && session_send(p->s, line, len) == -1) {
			log_warnx("out of memory");
			p->quit = p->status = 1;
			return;
		}
	}
	if (n <= 0) {
		if (n == -1)
			log_warn("stdin");
		p->eof = 1;
		session_finish(p->s);
	}
}

/* SIGHUP ends it as SIGINT and SIGTERM do; SIGQUIT by its own action. */
static void
ui_signal(void *arg, int signo)
{
	struct plain	*p = arg;

	if (signo == SIGQUIT)
		selfpipe_raise(signo);
	if (signo == SIGINT || signo == SIGTERM || signo == SIGHUP ||
	    signo == SIGQUIT)
		p->quit = 1;
}

static void
ui_turn(void *arg)
{
	struct plain	*p = arg;

	if (fflush(stdout) == EOF) {
		log_warn("stdout");
		p->quit = p->status = 1;
	}
}

static int
ui_done(void *arg)
{
	struct plain	*p = arg;

	return p->quit || session_done(p->s);
}

/* Plain mode never defers its output. */
static int
ui_timeout(void *arg)
{
	(void)arg;
	return -1;
}

/* One line on stdout, with nothing a terminal would act on. */
static void
print(struct plain *p, const char *s, size_t len)
{
	size_t	n;

	if (len > PLAIN_RENDER)
		len = PLAIN_RENDER;
	n = sanitize(s, len, p->clean);
	p->clean[n++] = '\n';
	fwrite(p->clean, 1, n, stdout);
}
