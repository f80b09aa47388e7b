/*
 * chat.c: registration of connections as users, the nick table, moving
 * between rooms, messages, leaving, announcements and shutdown.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat.h"
#include "cmd.h"
#include "conn.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "room.h"
#include "server.h"
#include "text.h"

#define CHAT_STOP_MS	2000	/* longest flush at shutdown */

static unsigned	chat_hash(const char *, size_t);
static void	chat_nick_add(struct conn *);
static void	chat_nick_del(struct conn *);
static void	chat_guest(struct conn *);
static int	chat_hello(struct conn *, const char *, size_t);
static void	chat_welcome(struct conn *, const char *);
static void	chat_vsend(struct conn *, enum frame_kind, const char *,
		    va_list) __attribute__((format(printf, 3, 0)));
static void	chat_stop(void *);

static unsigned
chat_hash(const char *s, size_t len)
{
	unsigned	 h = 5381;
	size_t		 i;

	for (i = 0; i < len; i++)
		h = h * 33 + (unsigned)tolower((unsigned char)s[i]);
	return h % SERVER_NICKBUCKETS;
}

struct conn *
chat_find(struct server *srv, const char *nick, size_t len)
{
	struct conn	*c;

	for (c = srv->nicks[chat_hash(nick, len)]; c != NULL; c = c->nick_next)
		if (proto_name_eq(c->nick, strlen(c->nick), nick, len))
			return c;
	return NULL;
}

static void
chat_nick_add(struct conn *c)
{
	unsigned	 h = chat_hash(c->nick, strlen(c->nick));

	c->nick_next = c->srv->nicks[h];
	c->srv->nicks[h] = c;
}

static void
chat_nick_del(struct conn *c)
{
	struct conn	**cp;

	cp = &c->srv->nicks[chat_hash(c->nick, strlen(c->nick))];
	for (; *cp != NULL; cp = &(*cp)->nick_next) {
		if (*cp == c) {
			*cp = c->nick_next;
			break;
		}
	}
	c->nick_next = NULL;
}

/* Gives c the next guestN that nobody has taken by /nick. */
static void
chat_guest(struct conn *c)
{
	do {
		snprintf(c->nick, sizeof c->nick, "guest%u", ++c->srv->guest);
	} while (chat_find(c->srv, c->nick, strlen(c->nick)) != NULL);
}

void
chat_frame(struct frame *f, enum frame_kind kind, const char *room,
    const char *nick, const char *text, size_t len)
{
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->ts = server_time_ms();
	f->room = room != NULL ? room : "";
	f->roomlen = strlen(f->room);
	f->nick = nick != NULL ? nick : "";
	f->nicklen = strlen(f->nick);
	f->text = text != NULL ? text : "";
	f->textlen = text != NULL ? len : 0;
}

static void
chat_vsend(struct conn *c, enum frame_kind kind, const char *fmt,
    va_list ap)
{
	struct frame	 f;
	char		 text[1024];
	int		 n;

	n = vsnprintf(text, sizeof text, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof text)
		n = sizeof text - 1;
	chat_frame(&f, kind, c->room != NULL ? room_name(c->room) : NULL,
	    NULL, text, (size_t)n);
	conn_send_frame(c, &f, 0);
}

void
chat_notice(struct conn *c, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	chat_vsend(c, FRAME_NOTICE, fmt, ap);
	va_end(ap);
}

void
chat_error(struct conn *c, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	chat_vsend(c, FRAME_ERROR, fmt, ap);
	va_end(ap);
}

/* The hello's version, or 0 if it has none. */
static unsigned
chat_hello_version(const char *line, size_t len)
{
	size_t		 i = sizeof PROTO_HELLO_PREFIX - 1;
	unsigned	 v = 0;

	for (; i < len && isdigit((unsigned char)line[i]) && v < 100000; i++)
		v = v * 10 + (unsigned)(line[i] - '0');
	return v;
}

/* Registers c in frame mode from its hello; -1 if it was refused. */
static int
chat_hello(struct conn *c, const char *line, size_t len)
{
	struct server	*srv = c->srv;
	struct hello	 h;
	struct room	*r;
	struct frame	 f;
	const char	*taken = NULL;
	unsigned	 v;
	char		 msg[128];
	int		 n;

	if ((v = chat_hello_version(line, len)) != PROTO_VERSION) {
		n = snprintf(msg, sizeof msg, "*** error: unsupported protocol "
		    "version %u (this server speaks %d)\r\n", v, PROTO_VERSION);
		conn_send(c, msg, (size_t)n);
		conn_linger(c, "unsupported protocol version");
		return -1;
	}
	if (proto_parse_hello(line, len, &h) == -1) {
		n = snprintf(msg, sizeof msg, "*** error: malformed hello "
		    "(CHAT/1 [nick=NICK] [room=ROOM] [epoch=EPOCH] [last=ID])"
		    "\r\n");
		conn_send(c, msg, (size_t)n);
		conn_linger(c, "malformed hello");
		return -1;
	}
	c->mode = CONN_FRAME;
	if (h.nick[0] != '\0' && chat_find(srv, h.nick, strlen(h.nick)) == NULL)
		snprintf(c->nick, sizeof c->nick, "%s", h.nick);
	else {
		if (h.nick[0] != '\0')
			taken = h.nick;
		chat_guest(c);
	}
	r = NULL;
	if (h.room[0] != '\0' && (r = room_find(srv, h.room,
	    strlen(h.room))) == NULL)
		r = room_create(srv, h.room, strlen(h.room));
	if (r == NULL)
		r = srv->lobby;
	chat_nick_add(c);
	c->flags |= CONN_USER;
	srv->nusers++;
	chat_frame(&f, FRAME_HELLO, room_name(r), c->nick,
	    "chat-server " CHAT_VERSION, sizeof "chat-server " CHAT_VERSION - 1);
	f.epoch = room_epoch(r);
	f.id = room_last_id(r);
	conn_send_frame(c, &f, 0);
	chat_welcome(c, taken);
	chat_join(c, r, h.epoch != 0, h.epoch, h.last);
	return 0;
}

/* The welcome notices and the message of the day. */
static void
chat_welcome(struct conn *c, const char *taken)
{
	struct server	*srv = c->srv;
	char		**l;

	chat_notice(c, "welcome to chat-server %s; you are %s", CHAT_VERSION,
	    c->nick);
	chat_notice(c, "%d user%s online; type /help for commands",
	    srv->nusers, srv->nusers == 1 ? "" : "s");
	if (taken != NULL)
		chat_error(c, "nick %s is already in use; you are %s", taken,
		    c->nick);
	for (l = srv->cf.motd; l != NULL && *l != NULL; l++)
		chat_notice(c, "%s", *l);
}

void
chat_register(struct conn *c, const char *line, size_t len)
{
	struct server	*srv = c->srv;

	loop_timer_cancel(srv->loop, &c->reg_timer);
	if (line != NULL && proto_is_hello(line, len)) {
		if (chat_hello(c, line, len) == 0)
			log_info("%s registered as %s (frame mode)", c->addr,
			    c->nick);
		return;
	}
	c->mode = CONN_TEXT;
	(void)net_keepalive(c->fd);
	chat_guest(c);
	chat_nick_add(c);
	c->flags |= CONN_USER;
	srv->nusers++;
	log_info("%s registered as %s (text mode)", c->addr, c->nick);
	chat_welcome(c, NULL);
	chat_join(c, srv->lobby, 0, 0, 0);
	if (line != NULL)
		chat_line(c, line, len);
}

void
chat_line(struct conn *c, const char *line, size_t len)
{
	struct input	 in;

	if (c->mode == CONN_NEW) {
		chat_register(c, line, len);
		return;
	}
	proto_parse_input(line, len, &in);
	switch (in.kind) {
	case INPUT_EMPTY:
		break;
	case INPUT_MESSAGE:
		chat_say(c, FRAME_MSG, in.text, in.textlen);
		break;
	case INPUT_COMMAND:
		cmd_dispatch(c, &in);
		break;
	}
}

void
chat_toolong(struct conn *c)
{
	if (c->mode == CONN_NEW)
		chat_register(c, NULL, 0);
	chat_error(c, "line too long (max %d bytes)", PROTO_MAXLINE - 1);
}

void
chat_eof(struct conn *c)
{
	chat_leave(c, "connection closed", 1);
	conn_linger(c, "connection closed");
}

void
chat_leave(struct conn *c, const char *reason, int announce)
{
	struct server	*srv = c->srv;
	struct room	*r = c->room;
	struct frame	 f;

	if (!(c->flags & CONN_USER))
		return;
	if (announce && r != NULL) {
		chat_frame(&f, FRAME_QUIT, room_name(r), c->nick, reason,
		    reason != NULL ? strlen(reason) : 0);
		room_broadcast(r, &f, NULL);
	}
	if (r != NULL)
		room_remove(r, c);
	chat_nick_del(c);
	c->flags &= ~CONN_USER;
	srv->nusers--;
}

int
chat_nick(struct conn *c, const char *nick, size_t len)
{
	struct conn	*o;
	struct frame	 f;
	char		 old[PROTO_NICKMAX + 1];

	if (!proto_valid_nick(nick, len)) {
		chat_error(c, "invalid nick: %.*s (1 to %d characters: a "
		    "letter, then letters, digits, _ or -)", (int)(len > 32 ?
		    32 : len), nick, PROTO_NICKMAX);
		return -1;
	}
	if ((o = chat_find(c->srv, nick, len)) != NULL && o != c) {
		chat_error(c, "nick %.*s is already in use", (int)len, nick);
		return -1;
	}
	if (strlen(c->nick) == len && memcmp(c->nick, nick, len) == 0) {
		chat_notice(c, "you are already %s", c->nick);
		return 0;
	}
	memcpy(old, c->nick, sizeof old);
	chat_nick_del(c);
	memcpy(c->nick, nick, len);
	c->nick[len] = '\0';
	chat_nick_add(c);
	log_info("%s: %s is now known as %s", c->addr, old, c->nick);
	chat_frame(&f, FRAME_NICK, room_name(c->room), old, c->nick, len);
	room_broadcast(c->room, &f, NULL);
	return 0;
}

void
chat_join(struct conn *c, struct room *r, int resume, uint64_t epoch,
    uint64_t last)
{
	struct frame	 f;
	const char	*name = room_name(r);

	room_replay(r, c, resume, epoch, last);
	room_add(r, c);
	chat_frame(&f, FRAME_JOIN, name, c->nick, NULL, 0);
	room_broadcast(r, &f, NULL);
	if (c->mode == CONN_FRAME)
		cmd_who(c);
}

void
chat_say(struct conn *c, enum frame_kind kind, const char *text,
    size_t len)
{
	struct frame	 f;
	size_t		 n;

	n = text_clean(text, len, c->srv->clean);
	if (n == 0)
		return;
	chat_frame(&f, kind, room_name(c->room), c->nick, c->srv->clean, n);
	/* Frame clients see their own line in the room's single order. */
	room_broadcast(c->room, &f, c->mode == CONN_FRAME ? NULL : c);
}

void
chat_announce(struct server *srv, const char *text, size_t len)
{
	struct room	*r;
	struct frame	 f;
	char		*buf = srv->clean;
	size_t		 n;

	memcpy(buf, "[server] ", 9);
	n = text_clean(text, len, buf + 9);
	for (r = srv->rooms; r != NULL; r = room_next(r)) {
		chat_frame(&f, FRAME_NOTICE, room_name(r), NULL, buf, n + 9);
		room_broadcast(r, &f, NULL);
	}
}

void
chat_shutdown(struct server *srv)
{
	struct conn	*c;
	struct frame	 f;
	int		 i;

	if (srv->shutting_down)
		return;
	srv->shutting_down = 1;
	log_notice("shutting down");
	for (i = 0; i < srv->nlisten; i++) {
		loop_del(srv->loop, srv->lfd[i]);
		close(srv->lfd[i]);
	}
	srv->nlisten = 0;
	if (srv->stdin_open) {
		loop_del(srv->loop, STDIN_FILENO);
		srv->stdin_open = 0;
	}
	chat_frame(&f, FRAME_SHUTDOWN, NULL, NULL, "server shutting down",
	    sizeof "server shutting down" - 1);
	for (c = srv->conns; c != NULL; c = c->next) {
		if (c->flags & (CONN_CLOSING | CONN_LINGER))
			continue;
		f.room = c->room != NULL ? room_name(c->room) : "";
		f.roomlen = strlen(f.room);
		conn_send_frame(c, &f, 0);
		conn_linger(c, "server shutting down");
	}
	loop_timer_set(srv->loop, &srv->stop_timer, CHAT_STOP_MS, chat_stop,
	    srv);
}

static void
chat_stop(void *arg)
{
	struct server	*srv = arg;

	loop_stop(srv->loop);
}
