/*
 * tui.c: the full-screen client: turns the session's frames into
 * scrollback lines, keys into edits and commands, and asks the view to
 * draw once per loop turn.
 */
#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "complete.h"
#include "edit.h"
#include "keys.h"
#include "log.h"
#include "loop.h"
#include "proto.h"
#include "sanitize.h"
#include "save.h"
#include "screen.h"
#include "scrollback.h"
#include "selfpipe.h"
#include "session.h"
#include "tui.h"
#include "view.h"

#define TUI_HISTORY	500		/* lines of input history */
#define TUI_RENDER	(PROTO_MAXFRAME + 256)
#define TUI_QUIT_MS	3000		/* /quit waits for acks this long */

_Static_assert(EDIT_MAX <= SESSION_MAXLINE, "a typed line fits its token");

struct tui {
	struct session	*s;
	struct sb	*sb;
	struct edit	*edit;
	struct screen	*scr;
	struct view	*view;
	char		*render;	/* a frame rendered as text */
	char		*clean;		/* text made safe for the screen */
	char		 cleannick[SANITIZE_MAX(PROTO_NICKMAX * 4) + 1];
	char		 server[300];
	const char	**pend;		/* pending lines, for the view */
	size_t		 pendcap;
	int		 tab;		/* the last key was Tab */
	int		 full;		/* the line refused text: said so */
	int		 esc;		/* inside an unknown escape sequence */
	int		 down;		/* the last state change was a loss */
	int64_t		 leave_at;	/* after /quit: leave by then */
	int		 quit;
};

/* Commands offered by Tab: the server's and the client's own. */
static const char *const commands[] = {
	"clear", "help", "join", "me", "msg", "nick", "ping", "quit",
	"rooms", "save", "who"
};

static const char *const help[] = {
	"client commands:",
	"  /clear            clear the window",
	"  /quit [REASON]    leave the server and exit",
	"  /help             this list and the server's commands",
	"  /save FILE        write the scrollback to FILE as text",
	"keys: PgUp/PgDn scroll, Home/End top/bottom while scrolled,",
	"  Tab completes, Up/Down history, Ctrl-L redraws",
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
static void	key(struct tui *, wint_t, int);
static int	skip_escape(struct tui *, wint_t, int);
static void	insert(struct tui *, wint_t);
static void	enter(struct tui *);
static void	command(struct tui *, const char *, size_t);
static void	quit(struct tui *, const char *, size_t);
static void	save(struct tui *, const struct input *);
static void	add(struct tui *, enum sb_kind, int, int64_t, const char *,
		    size_t, const char *, size_t);
static void	notice(struct tui *, const char *);
static int	line_kind(enum frame_kind);
static int	empty_replay(const struct frame *);

struct tui *
tui_new(size_t scrollback)
{
	struct tui	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->sb = sb_new(scrollback);
	t->edit = edit_new(TUI_HISTORY);
	t->render = malloc(TUI_RENDER);
	t->clean = malloc(SANITIZE_MAX(TUI_RENDER) + 1);
	if (t->sb == NULL || t->edit == NULL || t->render == NULL ||
	    t->clean == NULL) {
		tui_free(t);
		return NULL;
	}
	return t;
}

void
tui_free(struct tui *t)
{
	if (t == NULL)
		return;
	view_free(t->view);
	screen_free(t->scr);
	screen_end();
	sb_free(t->sb);
	edit_free(t->edit);
	free(t->render);
	free(t->clean);
	free(t->pend);
	free(t);
}

void
tui_callbacks(struct tui *t, struct session_cb *cb)
{
	cb->arg = t;
	cb->frame = on_frame;
	cb->bad = on_bad;
	cb->state = on_state;
}

int
tui_run(struct tui *t, struct session *s)
{
	struct loop_ui	ui = { t, ui_infd, ui_input, ui_signal, ui_turn,
			    ui_done, ui_timeout };

	t->s = s;
	snprintf(t->server, sizeof(t->server), strchr(session_host(s), ':') ?
	    "[%s]:%s" : "%s:%s", session_host(s), session_port(s));
	if (screen_start() == -1) {
		log_warnx("cannot start the terminal");
		return 1;
	}
	if ((t->scr = screen_new()) == NULL ||
	    (t->view = view_new(t->sb, t->scr)) == NULL) {
		screen_end();
		log_warnx("out of memory");
		return 1;
	}
	loop_run(s, &ui);
	view_free(t->view);
	t->view = NULL;
	screen_free(t->scr);
	t->scr = NULL;
	screen_end();
	return 0;
}

static void
on_frame(void *arg, const struct frame *f, int sflags)
{
	struct tui	*t = arg;
	int		 kind = line_kind(f->kind), flags = 0, n;

	if (kind == -1 || empty_replay(f))
		return;
	if (sflags & SESSION_OWN)
		flags |= SB_OWN;
	if (sflags & SESSION_MENTION)
		flags |= SB_MENTION;
	if (sflags & SESSION_REPLAY)
		flags |= SB_REPLAY;
	if (kind <= SB_PRIVTO) {
		add(t, kind, flags, f->ts, f->nick, f->nicklen, f->text,
		    f->textlen);
		return;
	}
	if ((n = proto_render_text(f, 0, t->render, TUI_RENDER)) < 0)
		return;
	add(t, kind, flags, f->ts, "", 0, t->render, n);
}

static void
on_bad(void *arg, const char *line, size_t len)
{
	struct tui	*t = arg;
	static const char pre[] = "*** unreadable line from the server: ";
	size_t		 n;

	if (line == NULL) {
		notice(t, "*** a line from the server was too long; "
		    "dropped");
		return;
	}
	if (len > TUI_RENDER - sizeof(pre))
		len = TUI_RENDER - sizeof(pre);
	memcpy(t->render, pre, sizeof(pre) - 1);
	memcpy(t->render + sizeof(pre) - 1, line, len);
	n = sanitize(t->render, sizeof(pre) - 1 + len, t->clean);
	sb_add(t->sb, SB_ERROR, 0, clock_wall_ms(), "", 0, t->clean, n);
	if (t->view != NULL)
		view_added(t->view);
}

static void
on_state(void *arg, enum session_state st, const char *why)
{
	struct tui	*t = arg;
	char		 buf[512];

	switch (st) {
	case SESSION_DOWN:
		/* A failed attempt is not news: say it more briefly. */
		snprintf(buf, sizeof(buf), t->down ? "*** still disconnected: "
		    "%s" : "*** disconnected: %s; reconnecting", why);
		break;
	case SESSION_HELLO:
		snprintf(buf, sizeof(buf), "*** connected to %s; resuming",
		    t->server);
		break;
	default:
		t->down = 0;
		return;
	}
	t->down = st == SESSION_DOWN;
	notice(t, buf);
}

static int
ui_infd(void *arg)
{
	(void)arg;
	return 0;
}

/* Every key that is waiting, handled in this turn. */
static void
ui_input(void *arg, short revents)
{
	struct tui	*t = arg;
	wint_t		 ch;
	int		 r;

	while ((r = screen_getkey(t->scr, &ch)) != ERR)
		key(t, ch, r == KEY_CODE_YES);
	/* A lone Escape: the next key stands for itself. */
	t->esc = 0;
	if (revents & (POLLHUP | POLLERR | POLLNVAL))
		t->quit = 1;
}

/*
 * SIGHUP (the terminal went away) ends the client as SIGINT and SIGTERM
 * do; SIGQUIT gives the terminal back, then dies of the signal, with its
 * core and its exit status.
 */
static void
ui_signal(void *arg, int signo)
{
	struct tui	*t = arg;

	switch (signo) {
	case SIGWINCH:
		view_resize(t->view);
		break;
	case SIGQUIT:
		screen_end();
		selfpipe_raise(signo);
		t->quit = 1;	/* if it was blocked */
		break;
	default:
		t->quit = 1;
		break;
	}
}

/* The end of a turn: draw what changed. */
static void
ui_turn(void *arg)
{
	struct tui		*t = arg;
	struct view_status	 st;
	size_t			 i, n = session_npending(t->s);
	const char		**p;

	if (n > t->pendcap) {
		if ((p = realloc(t->pend, n * sizeof(*p))) == NULL)
			n = t->pendcap;
		else {
			t->pend = p;
			t->pendcap = n;
		}
	}
	for (i = 0; i < n; i++)
		t->pend[i] = session_pending(t->s, i);
	st.server = t->server;
	st.room = session_room(t->s);
	st.nick = session_nick(t->s);
	st.users = session_nmembers(t->s);
	switch (session_state(t->s)) {
	case SESSION_UP:
		st.state = "connected";
		break;
	case SESSION_CONNECTING:
	case SESSION_HELLO:
		st.state = "connecting";
		break;
	default:
		st.state = "disconnected";
		break;
	}
	st.pending = t->pend;
	st.npending = n;
	view_draw(t->view, &st, t->edit, clock_ms());
}

/* When the message window, held back in a flood, is due, or /quit's wait
 * ends. */
static int
ui_timeout(void *arg)
{
	struct tui	*t = arg;
	int64_t		 now = clock_ms();
	int		 ms = view_timeout(t->view, now), left;

	if (t->leave_at == 0)
		return ms;
	left = t->leave_at > now ? (int)(t->leave_at - now) : 0;
	return ms < 0 || left < ms ? left : ms;
}

/* After a /quit that waits: once the server closed, or time is up. */
static int
ui_done(void *arg)
{
	struct tui	*t = arg;

	return t->quit || (t->leave_at != 0 && (session_done(t->s) ||
	    clock_ms() >= t->leave_at));
}

/* One key: the binding's action on the input line or the view. */
static void
key(struct tui *t, wint_t ch, int keycode)
{
	enum key_action	 a = keys_action(ch, keycode);
	int		 scrolled = view_scrolled(t->view), tab = t->tab;

	if (skip_escape(t, ch, keycode))
		return;
	t->tab = 0;
	switch (a) {
	case KEY_A_INSERT:	insert(t, ch); break;
	case KEY_A_LEFT:	edit_left(t->edit); break;
	case KEY_A_RIGHT:	edit_right(t->edit); break;
	case KEY_A_BACKSPACE:	edit_backspace(t->edit); break;
	case KEY_A_DELETE:	edit_delete(t->edit); break;
	case KEY_A_KILL_START:	edit_kill_start(t->edit); break;
	case KEY_A_KILL_END:	edit_kill_end(t->edit); break;
	case KEY_A_KILL_WORD:	edit_kill_word(t->edit); break;
	case KEY_A_HISTORY_PREV: edit_history_prev(t->edit); break;
	case KEY_A_HISTORY_NEXT: edit_history_next(t->edit); break;
	case KEY_A_PAGE_UP:	view_scroll(t->view, SCROLL_PGUP); return;
	case KEY_A_PAGE_DOWN:	view_scroll(t->view, SCROLL_PGDN); return;
	case KEY_A_REDRAW:	view_redraw(t->view); return;
	case KEY_A_RESIZE:	view_resize(t->view); return;
	case KEY_A_ENTER:	enter(t); break;
	case KEY_A_HOME:
		if (scrolled) {
			view_scroll(t->view, SCROLL_TOP);
			return;
		}
		edit_home(t->edit);
		break;
	case KEY_A_END:
		if (scrolled) {
			view_scroll(t->view, SCROLL_BOTTOM);
			return;
		}
		edit_end(t->edit);
		break;
	case KEY_A_COMPLETE:
		complete_word(t->edit, session_members(t->s),
		    session_nmembers(t->s), commands,
		    sizeof(commands) / sizeof(commands[0]), tab);
		t->tab = 1;
		break;
	default:
		return;
	}
	view_input_changed(t->view);
}

/*
 * Swallows an escape sequence curses did not know (ESC [ ... final, or
 * ESC O x), so that its bytes do not land on the input line.
 */
static int
skip_escape(struct tui *t, wint_t ch, int keycode)
{
	if (keycode) {
		t->esc = 0;
		return 0;
	}
	switch (t->esc) {
	case 1:		/* after ESC */
		t->esc = ch == '[' ? 2 : ch == 'O' ? 3 : 0;
		return 1;
	case 2:		/* CSI: parameters up to a final byte */
		if (ch < 0x20 || ch > 0x7e) {
			t->esc = 0;
			return 0;
		}
		if (ch >= 0x40)
			t->esc = 0;
		return 1;
	case 3:		/* SS3: one more byte */
		t->esc = 0;
		return 1;
	}
	if (ch == 033) {
		t->esc = 1;
		return 1;
	}
	return 0;
}

/*
 * A character typed or pasted.  What does not fit on the line is not
 * taken, and a notice says so once, not once a character: the flag is
 * cleared when the line has room again or is sent.
 */
static void
insert(struct tui *t, wint_t ch)
{
	char		mb[MB_LEN_MAX], buf[128];
	mbstate_t	ms;
	size_t		n, len;

	memset(&ms, 0, sizeof(ms));
	if ((n = wcrtomb(mb, ch, &ms)) == (size_t)-1)
		return;
	if (edit_insert(t->edit, mb, n) == 0) {
		t->full = 0;
		return;
	}
	if (t->full)
		return;
	t->full = 1;
	edit_text(t->edit, &len);
	if (len + n > EDIT_MAX)
		snprintf(buf, sizeof(buf), "*** input line full (%d bytes): "
		    "the rest was not inserted", EDIT_MAX);
	else
		snprintf(buf, sizeof(buf), "*** out of memory: the rest "
		    "was not inserted");
	notice(t, buf);
}

/* Enter: the line is a command of the client's own, or goes out. */
static void
enter(struct tui *t)
{
	char	line[EDIT_MAX + 1];
	size_t	len;

	len = edit_take(t->edit, line, sizeof(line));
	t->full = 0;
	command(t, line, len);
}

static void
command(struct tui *t, const char *line, size_t len)
{
	struct input	in;
	size_t		i;

	proto_parse_input(line, len, &in);
	if (in.kind == INPUT_EMPTY)
		return;
	if (in.kind == INPUT_COMMAND && proto_is_command(&in, "clear")) {
		sb_clear(t->sb);
		view_cleared(t->view);
		return;
	}
	if (in.kind == INPUT_COMMAND && proto_is_command(&in, "save")) {
		save(t, &in);
		return;
	}
	if (in.kind == INPUT_COMMAND && proto_is_command(&in, "quit")) {
		quit(t, line, len);
		return;
	}
	if (t->leave_at != 0) {
		notice(t, "*** leaving: /quit again to leave at once");
		return;
	}
	if (in.kind == INPUT_COMMAND && proto_is_command(&in, "help"))
		for (i = 0; i < sizeof(help) / sizeof(help[0]); i++)
			notice(t, help[i]);
	if (session_send(t->s, line, len) == -1)
		notice(t, "*** out of memory: line not sent");
}

/*
 * /quit.  Messages the server has not acknowledged are not dropped
 * unsaid: the /quit goes behind them, and the client waits up to
 * TUI_QUIT_MS for the server to take them and close (sending them
 * again if the link is lost meanwhile).  With none waiting, or on a
 * second /quit, it leaves at once.
 */
static void
quit(struct tui *t, const char *line, size_t len)
{
	char	buf[128];
	size_t	n = session_nwaiting(t->s);

	if (t->leave_at == 0 && n > 0 && session_send(t->s, line, len) == 0) {
		session_finish(t->s);
		t->leave_at = clock_ms() + TUI_QUIT_MS;
		snprintf(buf, sizeof(buf), "*** leaving once the server has "
		    "taken %zu message%s; /quit again to leave now", n,
		    n == 1 ? "" : "s");
		notice(t, buf);
		return;
	}
	if (t->leave_at == 0 && session_state(t->s) == SESSION_UP)
		session_send(t->s, line, len);
	session_close(t->s);
	t->quit = 1;
}

/* /save FILE: the scrollback as text, for searching a long flood. */
static void
save(struct tui *t, const struct input *in)
{
	char	path[PATH_MAX], buf[PATH_MAX + 128];
	size_t	len = in->textlen;
	long	n;

	while (len > 0 && (in->text[len - 1] == ' ' ||
	    in->text[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof(path)) {
		notice(t, "*** usage: /save FILE");
		return;
	}
	memcpy(path, in->text, len);
	path[len] = '\0';
	if ((n = save_file(t->sb, path)) == -1)
		snprintf(buf, sizeof(buf), "*** cannot save to %s: %s", path,
		    strerror(errno));
	else
		snprintf(buf, sizeof(buf), "*** saved %ld line%s to %s", n,
		    n == 1 ? "" : "s", path);
	notice(t, buf);
}

/* Adds a line from the network, made safe for the screen. */
static void
add(struct tui *t, enum sb_kind kind, int flags, int64_t ts,
    const char *nick, size_t nicklen, const char *text, size_t textlen)
{
	size_t	nn = 0, tn;

	if (nicklen > PROTO_NICKMAX * 4)
		nicklen = PROTO_NICKMAX * 4;
	if (nicklen > 0)
		nn = sanitize(nick, nicklen, t->cleannick);
	tn = sanitize(text, textlen, t->clean);
	if (ts <= 0)
		ts = clock_wall_ms();
	if (sb_add(t->sb, kind, flags, ts, t->cleannick, nn, t->clean, tn) ==
	    0 && t->view != NULL)
		view_added(t->view);
}

/* A notice of the client's own. */
static void
notice(struct tui *t, const char *text)
{
	add(t, SB_CLIENT, 0, clock_wall_ms(), "", 0, text, strlen(text));
}

/* The scrollback's kind for a frame; -1 for kinds not shown. */
static int
line_kind(enum frame_kind k)
{
	switch (k) {
	case FRAME_MSG:		return SB_MSG;
	case FRAME_ACT:		return SB_ACT;
	case FRAME_PRIV:	return SB_PRIV;
	case FRAME_PRIVTO:	return SB_PRIVTO;
	case FRAME_JOIN:
	case FRAME_PART:
	case FRAME_QUIT:
	case FRAME_NICK:	return SB_EVENT;
	case FRAME_ERROR:	return SB_ERROR;
	case FRAME_HELLO:
	case FRAME_WHO:
	case FRAME_ROOMS:
	case FRAME_REPLAY:
	case FRAME_NOTICE:
	case FRAME_SHUTDOWN:
	case FRAME_PONG:	return SB_NOTICE;
	default:		return -1;
	}
}

/* A replay of no history ("0 messages") is no news: not shown. */
static int
empty_replay(const struct frame *f)
{
	size_t	i = 0;

	if (f->kind != FRAME_REPLAY)
		return 0;
	while (i < f->textlen && f->text[i] == '0')
		i++;
	return i > 0 && (i == f->textlen || f->text[i] == ' ');
}
