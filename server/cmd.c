/*
 * cmd.c: typed lines: a message, or a user command, one small function
 * each, found by name in a table that also feeds /help.
 */
#include <stdio.h>
#include <string.h>

#include "chat.h"
#include "cmd.h"
#include "proto.h"
#include "room.h"
#include "text.h"

#define CMD_REASONMAX	200	/* bytes of a /quit reason kept */
#define CMD_CLEAN	(TEXT_CLEAN_MAX(PROTO_MAXLINE) + 1)

struct cmd {
	const char	*name;
	void		(*fn)(struct user *, const char *, size_t);
	const char	*usage;
};

static void	cmd_nick(struct user *, const char *, size_t);
static void	cmd_me(struct user *, const char *, size_t);
static void	cmd_msg(struct user *, const char *, size_t);
static void	cmd_who(struct user *, const char *, size_t);
static void	cmd_join(struct user *, const char *, size_t);
static void	cmd_rooms(struct user *, const char *, size_t);
static void	cmd_quit(struct user *, const char *, size_t);
static void	cmd_help(struct user *, const char *, size_t);
static void	cmd_ping(struct user *, const char *, size_t);

static const struct cmd cmds[] = {
	{ "nick", cmd_nick, "/nick NAME: change your nick" },
	{ "me", cmd_me, "/me TEXT: an action (* nick text)" },
	{ "msg", cmd_msg, "/msg NICK TEXT: a private message" },
	{ "who", cmd_who, "/who: who is in this room" },
	{ "join", cmd_join, "/join ROOM: change room (created if new)" },
	{ "rooms", cmd_rooms, "/rooms: the rooms and how many are in each" },
	{ "quit", cmd_quit, "/quit [REASON]: leave" },
	{ "help", cmd_help, "/help: this list" },
	{ "ping", cmd_ping, "/ping [TOKEN]: the server answers pong" },
};

/* Where typed text is cleaned. */
static char	clean[CMD_CLEAN];

void
cmd_line(struct user *u, const char *line, size_t len)
{
	struct input	 in;
	char		 name[33];
	size_t		 i, n;

	proto_parse_input(line, len, &in);
	if (in.kind == INPUT_EMPTY)
		return;
	if (in.kind == INPUT_MESSAGE) {
		chat_say(u, FRAME_MSG, in.text, in.textlen);
		return;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (proto_is_command(&in, cmds[i].name)) {
			cmds[i].fn(u, in.text, in.textlen);
			return;
		}
	}
	n = text_prefix(in.name, in.namelen, 32);
	n = text_clean(in.name, n, clean);
	n = text_prefix(clean, n, sizeof(name) - 1);
	memcpy(name, clean, n);
	name[n] = '\0';
	chat_error(u, "unknown command /%s (type /help for the commands)",
	    name);
}

static void
cmd_nick(struct user *u, const char *args, size_t len)
{
	const char	*w;
	size_t		 wl;

	proto_word(args, len, &w, &wl);
	if (wl == 0) {
		chat_error(u, "usage: /nick NAME");
		return;
	}
	(void)chat_nick(u, w, wl);
}

static void
cmd_me(struct user *u, const char *args, size_t len)
{
	if (len == 0) {
		chat_error(u, "usage: /me TEXT");
		return;
	}
	chat_say(u, FRAME_ACT, args, len);
}

static void
cmd_msg(struct user *u, const char *args, size_t len)
{
	struct user	*to;
	const char	*w, *rest;
	size_t		 wl;

	rest = proto_word(args, len, &w, &wl);
	if (wl == 0 || rest == args + len) {
		chat_error(u, "usage: /msg NICK TEXT");
		return;
	}
	if ((to = chat_find(user_chat(u), w, wl)) == NULL) {
		chat_error(u, "no such nick: %.*s", (int)(wl > 32 ? 32 : wl),
		    w);
		return;
	}
	chat_msg(u, to, rest, (size_t)(args + len - rest));
}

static void
cmd_who(struct user *u, const char *args, size_t len)
{
	(void)args;
	(void)len;
	chat_who(u);
}

static void
cmd_join(struct user *u, const char *args, size_t len)
{
	struct rooms	*rooms = chat_rooms(user_chat(u));
	struct room	*r;
	const char	*w;
	size_t		 wl;

	proto_word(args, len, &w, &wl);
	if (wl == 0) {
		chat_error(u, "usage: /join ROOM");
		return;
	}
	if (!proto_valid_room(w, wl)) {
		chat_error(u, "invalid room name: %.*s (1 to %d characters: a "
		    "letter, then letters, digits, _ or -)", (int)(wl > 40 ?
		    40 : wl), w, PROTO_ROOMMAX);
		return;
	}
	if ((r = room_find(rooms, w, wl)) == user_room(u)) {
		chat_error(u, "you are already in %s", room_name(r));
		return;
	}
	if (r == NULL && (r = room_open(rooms, w, wl)) == NULL) {
		chat_error(u, "cannot create room %.*s", (int)wl, w);
		return;
	}
	chat_move(u, r);
}

static void
cmd_rooms(struct user *u, const char *args, size_t len)
{
	struct frame	 f;
	struct room	*r;
	size_t		 n = 0;
	int		 w;

	(void)args;
	(void)len;
	for (r = rooms_first(chat_rooms(user_chat(u))); r != NULL;
	    r = room_next(r)) {
		w = snprintf(clean + n, sizeof(clean) - n, "%s%s:%d",
		    n > 0 ? " " : "", room_name(r), room_count(r));
		if (w < 0 || (size_t)w >= sizeof(clean) - n)
			break;
		n += (size_t)w;
	}
	frame_init(&f, FRAME_ROOMS, NULL, NULL, clean, n);
	chat_send(u, &f);
}

static void
cmd_quit(struct user *u, const char *args, size_t len)
{
	char	 reason[CMD_REASONMAX + 1];
	size_t	 n;

	n = text_clean(args, len, clean);
	n = text_prefix(clean, n, CMD_REASONMAX);
	memcpy(reason, clean, n);
	reason[n] = '\0';
	chat_quit(u, n > 0 ? reason : "quit");
}

static void
cmd_help(struct user *u, const char *args, size_t len)
{
	size_t	 i;

	(void)args;
	(void)len;
	chat_notice(u, "commands (a line without / is a message; //text "
	    "sends /text):");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		chat_notice(u, "%s", cmds[i].usage);
}

static void
cmd_ping(struct user *u, const char *args, size_t len)
{
	struct frame	 f;
	size_t		 n;

	n = text_clean(args, len, clean);
	frame_init(&f, FRAME_PONG, NULL, NULL, clean, text_prefix(clean, n,
	    256));
	chat_send(u, &f);
}
