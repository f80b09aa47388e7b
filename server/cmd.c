/*
 * cmd.c: the user commands, one small function each, found by name in
 * a table that also feeds /help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "cmd.h"
#include "conn.h"
#include "proto.h"
#include "room.h"
#include "server.h"
#include "text.h"

#define CMD_REASONMAX	200	/* bytes of a /quit reason kept */

struct cmd {
	const char	*name;
	void		(*fn)(struct conn *, const char *, size_t);
	const char	*usage;
};

static void	cmd_nick(struct conn *, const char *, size_t);
static void	cmd_me(struct conn *, const char *, size_t);
static void	cmd_msg(struct conn *, const char *, size_t);
static void	cmd_who_fn(struct conn *, const char *, size_t);
static void	cmd_join(struct conn *, const char *, size_t);
static void	cmd_rooms(struct conn *, const char *, size_t);
static void	cmd_quit(struct conn *, const char *, size_t);
static void	cmd_help(struct conn *, const char *, size_t);
static void	cmd_ping(struct conn *, const char *, size_t);

static const struct cmd cmds[] = {
	{ "nick", cmd_nick, "/nick NAME: change your nick" },
	{ "me", cmd_me, "/me TEXT: an action (* nick text)" },
	{ "msg", cmd_msg, "/msg NICK TEXT: a private message" },
	{ "who", cmd_who_fn, "/who: who is in this room" },
	{ "join", cmd_join, "/join ROOM: change room (created if new)" },
	{ "rooms", cmd_rooms, "/rooms: the rooms and how many are in each" },
	{ "quit", cmd_quit, "/quit [REASON]: leave" },
	{ "help", cmd_help, "/help: this list" },
	{ "ping", cmd_ping, "/ping [TOKEN]: the server answers pong" },
};

void
cmd_dispatch(struct conn *c, const struct input *in)
{
	char	 name[33];
	size_t	 i, n;

	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (proto_is_command(in, cmds[i].name)) {
			cmds[i].fn(c, in->text, in->textlen);
			return;
		}
	}
	n = text_prefix(in->name, in->namelen, 32);
	n = text_clean(in->name, n, c->srv->clean);
	n = text_prefix(c->srv->clean, n, sizeof name - 1);
	memcpy(name, c->srv->clean, n);
	name[n] = '\0';
	chat_error(c, "unknown command /%s (type /help for the commands)",
	    name);
}

static void
cmd_nick(struct conn *c, const char *args, size_t len)
{
	const char	*w;
	size_t		 wl;

	proto_word(args, len, &w, &wl);
	if (wl == 0) {
		chat_error(c, "usage: /nick NAME");
		return;
	}
	(void)chat_nick(c, w, wl);
}

static void
cmd_me(struct conn *c, const char *args, size_t len)
{
	if (len == 0) {
		chat_error(c, "usage: /me TEXT");
		return;
	}
	chat_say(c, FRAME_ACT, args, len);
}

static void
cmd_msg(struct conn *c, const char *args, size_t len)
{
	struct conn	*to;
	struct frame	 f;
	const char	*w, *rest;
	size_t		 wl, n;

	rest = proto_word(args, len, &w, &wl);
	if (wl == 0 || rest == args + len) {
		chat_error(c, "usage: /msg NICK TEXT");
		return;
	}
	if ((to = chat_find(c->srv, w, wl)) == NULL) {
		chat_error(c, "no such nick: %.*s", (int)(wl > 32 ? 32 : wl),
		    w);
		return;
	}
	if ((n = text_clean(rest, (size_t)(args + len - rest),
	    c->srv->clean)) == 0)
		return;
	chat_frame(&f, FRAME_PRIV, NULL, c->nick, c->srv->clean, n);
	conn_send_frame(to, &f, 0);
	f.kind = FRAME_PRIVTO;
	f.nick = to->nick;
	f.nicklen = strlen(to->nick);
	conn_send_frame(c, &f, 0);
}

void
cmd_who(struct conn *c)
{
	struct frame	 f;
	struct conn	*m;
	char		*buf;
	size_t		 n = 0, cap;

	cap = (size_t)room_count(c->room) * (PROTO_NICKMAX + 1) + 1;
	if ((buf = malloc(cap)) == NULL)
		return;
	for (m = room_members(c->room); m != NULL; m = m->room_next) {
		if (n > 0)
			buf[n++] = ' ';
		memcpy(buf + n, m->nick, strlen(m->nick));
		n += strlen(m->nick);
	}
	chat_frame(&f, FRAME_WHO, room_name(c->room), NULL, buf, n);
	conn_send_frame(c, &f, 0);
	free(buf);
}

static void
cmd_who_fn(struct conn *c, const char *args, size_t len)
{
	(void)args;
	(void)len;
	cmd_who(c);
}

static void
cmd_join(struct conn *c, const char *args, size_t len)
{
	struct room	*r, *old = c->room;
	struct frame	 f;
	const char	*w;
	size_t		 wl;
	char		 reason[PROTO_ROOMMAX + 16];
	int		 n;

	proto_word(args, len, &w, &wl);
	if (wl == 0) {
		chat_error(c, "usage: /join ROOM");
		return;
	}
	if (!proto_valid_room(w, wl)) {
		chat_error(c, "invalid room name: %.*s (1 to %d characters: a "
		    "letter, then letters, digits, _ or -)", (int)(wl > 40 ?
		    40 : wl), w, PROTO_ROOMMAX);
		return;
	}
	if ((r = room_find(c->srv, w, wl)) == old) {
		chat_error(c, "you are already in %s", room_name(old));
		return;
	}
	if (r == NULL && (r = room_create(c->srv, w, wl)) == NULL) {
		chat_error(c, "cannot create room %.*s", (int)wl, w);
		return;
	}
	n = snprintf(reason, sizeof reason, "joined %s", room_name(r));
	chat_frame(&f, FRAME_PART, room_name(old), c->nick, reason,
	    (size_t)n);
	room_broadcast(old, &f, NULL);
	room_remove(old, c);
	chat_join(c, r, 0, 0, 0);
}

static void
cmd_rooms(struct conn *c, const char *args, size_t len)
{
	struct frame	 f;
	struct room	*r;
	char		*buf = c->srv->clean;
	size_t		 n = 0;
	int		 w;

	(void)args;
	(void)len;
	for (r = c->srv->rooms; r != NULL; r = room_next(r)) {
		w = snprintf(buf + n, SERVER_CLEAN - n, "%s%s:%d",
		    n > 0 ? " " : "", room_name(r), room_count(r));
		if (w < 0 || (size_t)w >= SERVER_CLEAN - n)
			break;
		n += (size_t)w;
	}
	chat_frame(&f, FRAME_ROOMS, NULL, NULL, buf, n);
	conn_send_frame(c, &f, 0);
}

static void
cmd_quit(struct conn *c, const char *args, size_t len)
{
	char	 reason[CMD_REASONMAX + 1];
	size_t	 n;

	n = text_clean(args, len, c->srv->clean);
	n = text_prefix(c->srv->clean, n, CMD_REASONMAX);
	memcpy(reason, c->srv->clean, n);
	reason[n] = '\0';
	chat_leave(c, n > 0 ? reason : "quit", 1);
	conn_linger(c, "quit");
}

static void
cmd_help(struct conn *c, const char *args, size_t len)
{
	size_t	 i;

	(void)args;
	(void)len;
	chat_notice(c, "commands (a line without / is a message; //text "
	    "sends /text):");
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		chat_notice(c, "%s", cmds[i].usage);
}

static void
cmd_ping(struct conn *c, const char *args, size_t len)
{
	struct frame	 f;
	size_t		 n;

	n = text_clean(args, len, c->srv->clean);
	chat_frame(&f, FRAME_PONG, NULL, NULL, c->srv->clean,
	    text_prefix(c->srv->clean, n, 256));
	conn_send_frame(c, &f, 0);
}
