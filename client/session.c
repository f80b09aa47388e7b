/*
 * session.c: wires the link, the pending-line queue and the roster: the
 * roster fills in each hello and reads each frame, typed lines wait in
 * the queue until the link is up, messages and actions go with a token
 * and stay queued until the server acknowledges it, and a lost link puts
 * the lines not confirmed back in front, to go again on the next one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lineq.h"
#include "link.h"
#include "proto.h"
#include "roster.h"
#include "session.h"
#include "token.h"

#define SESSION_BUSY_BYTES	(64 * 1024)	/* queued on the link */
#define SESSION_BUSY_LINES	1024		/* not yet confirmed */

struct session {
	struct session_cb	 cb;
	struct link		*link;
	struct lineq		*lines;
	struct roster		*roster;
	struct token		 token;
	int			 started;	/* connected once */
	char			 failed[256];	/* why not, if it never was */
	int			 finishing;	/* the user is done typing */
	int			 done;
};

static void	 on_hello(void *, struct hello *);
static void	 on_frame(void *, const struct frame *, int64_t);
static void	 on_bad(void *, const char *, size_t);
static void	 on_state(void *, enum link_state, const char *);
static void	 on_down(struct session *, const char *);
static int	 tagged(const char *, size_t);
static void	 send_held(struct session *);
static void	 maybe_shutdown(struct session *);
static void	 stop(struct session *);

struct session *
session_new(const char *host, const char *port, const char *nick,
    const struct session_cb *cb)
{
	struct session	*s;
	struct link_cb	 lcb = { NULL, on_hello, on_frame, on_bad, on_state };

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->cb = *cb;
	lcb.arg = s;
	s->link = link_new(host, port, &lcb);
	s->lines = lineq_new();
	s->roster = roster_new(nick);
	token_init(&s->token);
	if (s->link == NULL || s->lines == NULL || s->roster == NULL) {
		session_free(s);
		return NULL;
	}
	return s;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	link_free(s->link);
	lineq_free(s->lines);
	roster_free(s->roster);
	free(s);
}

const char *
session_failed(const struct session *s)
{
	return s->failed[0] != '\0' ? s->failed : NULL;
}

int
session_fd(const struct session *s)
{
	return link_fd(s->link);
}

short
session_events(const struct session *s)
{
	return link_events(s->link);
}

int
session_timeout(const struct session *s, int64_t now)
{
	int64_t	 at;
	int	 ms;

	if (s->done)
		return -1;
	ms = link_timeout(s->link, now);
	if (link_state(s->link) == LINK_UP &&
	    (at = roster_reclaim_at(s->roster)) != 0) {
		at = at > now ? at - now : 0;
		if (ms < 0 || at < ms)
			ms = (int)at;
	}
	return ms;
}

void
session_io(struct session *s, short revents, int64_t now)
{
	link_io(s->link, revents, now);
	lineq_written(s->lines, link_written(s->link));
	maybe_shutdown(s);
}

void
session_tick(struct session *s, int64_t now)
{
	const char	*nick;
	char		 line[PROTO_NICKMAX + 8];
	uint64_t	 end;

	if (s->done)
		return;
	link_tick(s->link, now);
	/* Asks for the wanted nick again, until an old link's hold ends. */
	if (link_state(s->link) == LINK_UP &&
	    (nick = roster_reclaim(s->roster, now)) != NULL) {
		snprintf(line, sizeof(line), "/nick %s", nick);
		(void)link_send(s->link, line, strlen(line), &end);
	}
}

int
session_send(struct session *s, const char *line, size_t len)
{
	char	 tok[TOKEN_MAX + 1];
	size_t	 toklen;
	int	 r;

	if (len > SESSION_MAXLINE) {
		errno = EMSGSIZE;
		return -1;
	}
	if (tagged(line, len)) {
		toklen = token_next(&s->token, tok);
		r = lineq_hold_tagged(s->lines, tok, toklen, line, len);
	} else
		r = lineq_hold(s->lines, line, len);
	if (r == -1)
		return -1;
	send_held(s);
	return 0;
}

int
session_busy(const struct session *s)
{
	return link_queued(s->link) > SESSION_BUSY_BYTES ||
	    lineq_nkept(s->lines) > SESSION_BUSY_LINES;
}

size_t
session_npending(const struct session *s)
{
	return lineq_nheld(s->lines);
}

const char *
session_pending(const struct session *s, size_t i)
{
	return lineq_held(s->lines, i, NULL);
}

size_t
session_nwaiting(const struct session *s)
{
	return lineq_nunacked(s->lines);
}

void
session_finish(struct session *s)
{
	s->finishing = 1;
	if (link_state(s->link) == LINK_DOWN && lineq_nkept(s->lines) == 0)
		stop(s);
	else
		send_held(s);
}

int
session_done(const struct session *s)
{
	return s->done;
}

void
session_close(struct session *s)
{
	link_close(s->link);
}

enum session_state
session_state(const struct session *s)
{
	switch (link_state(s->link)) {
	case LINK_CONNECTING:
		return SESSION_CONNECTING;
	case LINK_HELLO:
		return SESSION_HELLO;
	case LINK_UP:
		return SESSION_UP;
	default:
		return SESSION_DOWN;
	}
}

const char *
session_nick(const struct session *s)
{
	return roster_nick(s->roster);
}

const char *
session_room(const struct session *s)
{
	return roster_room(s->roster);
}

const char *
session_host(const struct session *s)
{
	return link_host(s->link);
}

const char *
session_port(const struct session *s)
{
	return link_port(s->link);
}

size_t
session_nmembers(const struct session *s)
{
	return roster_nmembers(s->roster);
}

const char *const *
session_members(const struct session *s)
{
	return roster_members(s->roster);
}

static void
on_hello(void *arg, struct hello *h)
{
	struct session	*s = arg;

	roster_hello(s->roster, h);
	/* The key proves that a connection the server still holds is ours. */
	snprintf(h->session, sizeof(h->session), "%s", s->token.key);
}

/*
 * An ack confirms its line and goes no further; the error frame before
 * a refusal says why.  The roster reads every other frame first; the
 * hello reply lets lines out.
 */
static void
on_frame(void *arg, const struct frame *f, int64_t now)
{
	struct session	*s = arg;
	int		 flags;

	if (f->kind == FRAME_ACK) {
		(void)lineq_acked(s->lines, f->text, f->textlen);
		maybe_shutdown(s);
		return;
	}
	flags = roster_note(s->roster, f, now);
	s->cb.frame(s->cb.arg, f, flags);
	if (f->kind == FRAME_HELLO)
		send_held(s);
}

static void
on_bad(void *arg, const char *line, size_t len)
{
	struct session	*s = arg;

	s->cb.bad(s->cb.arg, line, len);
}

static void
on_state(void *arg, enum link_state st, const char *why)
{
	struct session	*s = arg;

	switch (st) {
	case LINK_HELLO:
		/* The first connection is made before any screen starts. */
		if (!s->started) {
			s->started = 1;
			return;
		}
		break;
	case LINK_DOWN:
		on_down(s, why);
		if (s->failed[0] != '\0')
			return;
		break;
	default:
		break;
	}
	s->cb.state(s->cb.arg, session_state(s), why);
}

/*
 * An attempt failed or the link was lost: lines it did not confirm are
 * held again.  The first attempt failing is final; so is a loss after
 * the end of input once nothing is left to send.
 */
static void
on_down(struct session *s, const char *why)
{
	lineq_lost(s->lines, link_written(s->link));
	roster_lost(s->roster);
	if (!s->started) {
		snprintf(s->failed, sizeof(s->failed), "%s", why);
		stop(s);
	} else if (s->finishing && lineq_nkept(s->lines) == 0)
		stop(s);
}

/*
 * True for a line that goes with a token: a message (also "//text") or
 * an action, the lines the server answers with an ack.
 */
static int
tagged(const char *line, size_t len)
{
	struct input	 in;

	proto_parse_input(line, len, &in);
	return in.kind == INPUT_MESSAGE || (in.kind == INPUT_COMMAND &&
	    proto_is_command(&in, "me"));
}

/*
 * Sends, in order, what is held: lines a lost link did not confirm, and
 * what was typed while the link was not up.
 */
static void
send_held(struct session *s)
{
	const char	*line;
	size_t		 len;
	uint64_t	 end;

	while (link_state(s->link) == LINK_UP &&
	    (line = lineq_out(s->lines, &len)) != NULL) {
		if (link_send(s->link, line, len, &end) == -1)
			break;
		lineq_move(s->lines, end);
	}
	maybe_shutdown(s);
}

/*
 * After the end of input, half-closes once the server has confirmed
 * every line; the link waits for what it still has queued.
 */
static void
maybe_shutdown(struct session *s)
{
	if (s->finishing && !s->done && lineq_nkept(s->lines) == 0)
		link_shutdown(s->link);
}

/* Nothing more to do: no further attempt. */
static void
stop(struct session *s)
{
	s->done = 1;
	link_stop(s->link);
}
