/*
 * chat.c: a user for every connection: registration as a text or frame
 * client, the nick table, joining rooms, messages, leaving, and the
 * server-wide announcements and shutdown notice.
 */
#include <sys/select.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "conn.h"
#include "log.h"
#include "loop.h"
#include "room.h"
#include "text.h"

#define CHAT_NICKBUCKETS 1024
#define CHAT_REGISTER_MS 500	/* greet a silent client as text mode */
#define CHAT_SENDBUF	(PROTO_MAXFRAME + 1)
#define CHAT_CLEAN	(TEXT_CLEAN_MAX(PROTO_MAXLINE) + 64)
#define CHAT_WHO	(FD_SETSIZE * (PROTO_NICKMAX + 1) + 1)

enum user_mode {
	USER_NEW,		/* not yet registered */
	USER_TEXT,		/* telnet/nc: lines for humans */
	USER_FRAME		/* chat-client: frames */
};

#define USER_REG	0x01	/* registered: has a nick and a room */
#define USER_SPOKE	0x02	/* has sent a line since registering */

struct user {
	struct chat		*chat;
	struct conn		*conn;
	enum user_mode		 mode;
	unsigned		 version;	/* of a frame client's hello */
	int			 flags;
	char			 session[PROTO_TOKENMAX + 1];	/* its hello's */
	const char		*token;		/* of the line being handled */
	size_t			 toklen;
	char			 nick[PROTO_NICKMAX + 1];
	struct member		 member;
	struct loop_timer	 reg_timer;
	struct user		*nick_next;
	struct user		*prev, *next;
};

struct chat {
	struct loop		*loop;
	struct conns		*conns;
	struct rooms		*rooms;
	struct room		*lobby;
	chat_typed_cb		*typed;
	unsigned		 dead_ms;
	char *const		*motd;
	struct user		*users;		/* every connection's */
	int			 nusers;	/* registered */
	unsigned		 guest;		/* last guest number given */
	struct user		*nicks[CHAT_NICKBUCKETS];
};

/* Where frames for one user are rendered, and typed text cleaned. */
static char	sendbuf[CHAT_SENDBUF];
static char	clean[CHAT_CLEAN];

static void	on_line(void *, const char *, size_t);
static void	on_tagged(struct user *, const char *, size_t);
static void	chat_ack_refused(struct user *);
static void	on_toolong(void *);
static void	on_eof(void *);
static void	on_idle(void *);
static void	on_drained(void *);
static void	on_closed(void *, const char *);
static void	register_timeout(void *);
static void	chat_register(struct user *, const char *, size_t);
static int	chat_hello(struct user *, const char *, size_t);
static void	chat_refuse(struct user *, const char *, const char *);
static void	chat_replace(struct chat *, const struct hello *);
static void	chat_welcome(struct user *, const char *);
static void	chat_join(struct user *, struct room *, int, uint64_t,
		    uint64_t);
static void	chat_joined(struct user *);
static void	chat_leave(struct user *, const char *, int);
static void	chat_vsend(struct user *, enum frame_kind, const char *,
		    va_list) __attribute__((format(printf, 3, 0)));
static unsigned	nick_hash(const char *, size_t);
static void	nick_add(struct user *);
static void	nick_del(struct user *);
static void	nick_guest(struct user *);

static const struct conn_cb user_cb = {
	on_line, on_toolong, on_eof, on_idle, on_drained, on_closed
};

struct chat *
chat_new(struct loop *loop, struct conns *conns, struct rooms *rooms,
    unsigned dead_secs, chat_typed_cb *typed)
{
	struct chat	*ch;

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return NULL;
	ch->loop = loop;
	ch->conns = conns;
	ch->rooms = rooms;
	ch->typed = typed;
	ch->dead_ms = dead_secs * 1000;
	if ((ch->lobby = room_open(rooms, PROTO_LOBBY,
	    sizeof(PROTO_LOBBY) - 1)) == NULL) {
		free(ch);
		return NULL;
	}
	room_keep(ch->lobby);
	return ch;
}

void
chat_free(struct chat *ch)
{
	struct user	*u;

	if (ch == NULL)
		return;
	while ((u = ch->users) != NULL) {
		ch->users = u->next;
		loop_timer_cancel(ch->loop, &u->reg_timer);
		free(u);
	}
	free(ch);
}

void
chat_set_motd(struct chat *ch, char *const *lines)
{
	ch->motd = lines;
}

struct rooms *
chat_rooms(const struct chat *ch)
{
	return ch->rooms;
}

int
chat_nusers(const struct chat *ch)
{
	return ch->nusers;
}

struct chat *
user_chat(const struct user *u)
{
	return u->chat;
}

const char *
user_nick(const struct user *u)
{
	return u->nick;
}

struct room *
user_room(const struct user *u)
{
	return u->member.room;
}

int
chat_accept(struct chat *ch, struct stream *s, const char *addr)
{
	struct user	*u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return -1;
	u->chat = ch;
	if ((u->conn = conn_new(ch->conns, s, addr, &user_cb, u)) == NULL) {
		free(u);
		return -1;
	}
	u->next = ch->users;
	if (ch->users != NULL)
		ch->users->prev = u;
	ch->users = u;
	loop_timer_set(ch->loop, &u->reg_timer, CHAT_REGISTER_MS,
	    register_timeout, u);
	log_info("connect from %s", addr);
	return 0;
}

/*
 * Half a second after the connection, or after its first byte if that
 * came later than the connection, a client that has said no line is a
 * person at a terminal: greet it in text mode.
 */
static void
register_timeout(void *arg)
{
	struct user	*u = arg;
	uint64_t	 first = conn_first_byte(u->conn);
	uint64_t	 now = loop_now(u->chat->loop);

	if (u->mode != USER_NEW)
		return;
	if (first != 0 && now < first + CHAT_REGISTER_MS) {
		loop_timer_set(u->chat->loop, &u->reg_timer,
		    first + CHAT_REGISTER_MS - now, register_timeout, u);
		return;
	}
	chat_register(u, NULL, 0);
}

static void
on_line(void *arg, const char *line, size_t len)
{
	struct user	*u = arg;
	const size_t	 n = sizeof(PROTO_HELLO_PREFIX) - 1;

	if (u->mode == USER_NEW) {
		chat_register(u, line, len);
		return;
	}
	if (len >= n && memcmp(line, PROTO_HELLO_PREFIX, n) == 0) {
		/* A hello that came after the text greeting. */
		if (u->mode == USER_TEXT && !(u->flags & USER_SPOKE) &&
		    proto_is_hello(line, len)) {
			chat_leave(u, "switched to frame mode", 1);
			u->mode = USER_NEW;
			chat_register(u, line, len);
			return;
		}
		chat_error(u, "a line starting %s is a hello, taken only as "
		    "a connection's first line; not sent", PROTO_HELLO_PREFIX);
		return;
	}
	u->flags |= USER_SPOKE;
	if (u->mode == USER_FRAME && u->version >= 2 && line[0] == '@')
		on_tagged(u, line, len);
	else
		u->chat->typed(u, line, len);
}

/*
 * A line with a token: a message or an action, answered by one ack
 * whatever becomes of it; the token stays with u while it is handled.
 */
static void
on_tagged(struct user *u, const char *line, size_t len)
{
	struct input	 in;
	const char	*tok, *rest;
	size_t		 toklen, restlen;

	if (proto_split_token(line, len, &tok, &toklen, &rest,
	    &restlen) != 1) {
		chat_error(u, "malformed token: @ and 1 to %d characters "
		    "from ! to ~, then a space; not sent", PROTO_TOKENMAX);
		return;
	}
	u->token = tok;
	u->toklen = toklen;
	proto_parse_input(rest, restlen, &in);
	if (in.kind == INPUT_MESSAGE || (in.kind == INPUT_COMMAND &&
	    proto_is_command(&in, "me")))
		u->chat->typed(u, rest, restlen);
	else
		chat_error(u, "a token goes only with a message or /me; "
		    "not done");
	/* Not taken: an error said why. */
	if (u->token != NULL)
		chat_ack_refused(u);
}

/* The ack of the line being handled, refused: id 0. */
static void
chat_ack_refused(struct user *u)
{
	struct frame	 f;

	frame_init(&f, FRAME_ACK, u->member.room != NULL ?
	    room_name(u->member.room) : NULL, u->nick, u->token, u->toklen);
	u->token = NULL;
	chat_send(u, &f);
}

static void
on_toolong(void *arg)
{
	struct user	*u = arg;

	if (u->mode == USER_NEW)
		chat_register(u, NULL, 0);
	chat_error(u, "line too long (max %d bytes)",
	    PROTO_MAXLINE - 1);
}

static void
on_eof(void *arg)
{
	struct user	*u = arg;

	chat_leave(u, "connection closed", 1);
	conn_linger(u->conn, "connection closed");
}

static void
on_idle(void *arg)
{
	struct user	*u = arg;

	conn_close(u->conn, "ping timeout");
}

/* The connection took what was queued: more of the replay. */
static void
on_drained(void *arg)
{
	struct user	*u = arg;

	if (u->member.room != NULL && room_pump(&u->member)) {
		conn_want_drained(u->conn, 0);
		chat_joined(u);
	}
}

static void
on_closed(void *arg, const char *reason)
{
	struct user	*u = arg;
	struct chat	*ch = u->chat;

	chat_leave(u, reason, 1);
	log_info("disconnect from %s%s%s: %s", conn_addr(u->conn),
	    u->nick[0] != '\0' ? " nick " : "", u->nick,
	    reason != NULL ? reason : "closed");
	loop_timer_cancel(ch->loop, &u->reg_timer);
	if (u->prev != NULL)
		u->prev->next = u->next;
	else
		ch->users = u->next;
	if (u->next != NULL)
		u->next->prev = u->prev;
	free(u);
}

/*
 * Registers a new connection: line is its first line (a hello makes it
 * frame mode; anything else is text mode and then handled as typed), or
 * NULL when it said nothing in time (text mode).
 */
static void
chat_register(struct user *u, const char *line, size_t len)
{
	struct chat	*ch = u->chat;

	loop_timer_cancel(ch->loop, &u->reg_timer);
	if (line != NULL && proto_is_hello(line, len)) {
		if (chat_hello(u, line, len) == 0)
			log_info("%s registered as %s (frame mode)",
			    conn_addr(u->conn), u->nick);
		return;
	}
	u->mode = USER_TEXT;
	conn_keepalive(u->conn);
	nick_guest(u);
	nick_add(u);
	log_info("%s registered as %s (text mode)", conn_addr(u->conn),
	    u->nick);
	chat_welcome(u, NULL);
	chat_join(u, ch->lobby, 0, 0, 0);
	if (line != NULL)
		on_line(u, line, len);
}

/* The hello's version, or 0 if it has none. */
static unsigned
hello_version(const char *line, size_t len)
{
	size_t		 i = sizeof(PROTO_HELLO_PREFIX) - 1;
	unsigned	 v = 0;

	for (; i < len && isdigit((unsigned char)line[i]) && v < 100000; i++)
		v = v * 10 + (unsigned)(line[i] - '0');
	return v;
}

/* Says why in text, since the client's mode is not known, and closes. */
static void
chat_refuse(struct user *u, const char *msg, const char *reason)
{
	conn_send(u->conn, msg, strlen(msg));
	conn_linger(u->conn, reason);
}

/* Registers u in frame mode from its hello; -1 if it was refused. */
static int
chat_hello(struct user *u, const char *line, size_t len)
{
	struct chat	*ch = u->chat;
	struct hello	 h;
	struct room	*r = NULL;
	struct frame	 f;
	const char	*taken = NULL;
	unsigned	 v;
	char		 msg[128];

	v = hello_version(line, len);
	if (v < PROTO_VERSION_MIN || v > PROTO_VERSION) {
		snprintf(msg, sizeof(msg), "*** error: unsupported protocol "
		    "version %u (this server speaks %d to %d)\r\n", v,
		    PROTO_VERSION_MIN, PROTO_VERSION);
		chat_refuse(u, msg, "unsupported protocol version");
		return -1;
	}
	if (proto_parse_hello(line, len, &h) == -1) {
		chat_refuse(u, "*** error: malformed hello (CHAT/2 [nick=NICK] "
		    "[room=ROOM] [epoch=EPOCH] [last=ID] [session=KEY])\r\n",
		    "malformed hello");
		return -1;
	}
	u->mode = USER_FRAME;
	u->version = v;
	snprintf(u->session, sizeof(u->session), "%s", h.session);
	chat_replace(ch, &h);
	if (h.nick[0] != '\0' && chat_find(ch, h.nick, strlen(h.nick)) == NULL)
		snprintf(u->nick, sizeof(u->nick), "%s", h.nick);
	else {
		if (h.nick[0] != '\0')
			taken = h.nick;
		nick_guest(u);
	}
	if (h.room[0] != '\0')
		r = room_open(ch->rooms, h.room, strlen(h.room));
	if (r == NULL)
		r = ch->lobby;
	nick_add(u);
	conn_set_idle(u->conn, ch->dead_ms);
	frame_init(&f, FRAME_HELLO, room_name(r), u->nick,
	    "chat-server " CHAT_VERSION, sizeof("chat-server " CHAT_VERSION) -
	    1);
	f.epoch = room_epoch(r);
	f.id = room_last_id(r);
	chat_send(u, &f);
	chat_welcome(u, taken);
	chat_join(u, r, h.epoch != 0, h.epoch, h.last);
	return 0;
}

/*
 * The same client (the same session key) coming back while the server
 * still holds its old connection, which a lost route leaves open: the
 * old one goes, so that the nick is free again.
 */
static void
chat_replace(struct chat *ch, const struct hello *h)
{
	struct user	*old;

	if (h->nick[0] == '\0' || h->session[0] == '\0' ||
	    (old = chat_find(ch, h->nick, strlen(h->nick))) == NULL ||
	    strcmp(old->session, h->session) != 0)
		return;
	log_info("%s: nick %s taken back by a new connection",
	    conn_addr(old->conn), old->nick);
	conn_close(old->conn, "replaced by a new connection");
}

/* The welcome notices and the message of the day. */
static void
chat_welcome(struct user *u, const char *taken)
{
	struct chat	*ch = u->chat;
	char *const	*l;

	chat_notice(u, "welcome to chat-server %s; you are %s", CHAT_VERSION,
	    u->nick);
	chat_notice(u, "%d user%s online; type /help for commands",
	    ch->nusers, ch->nusers == 1 ? "" : "s");
	if (taken != NULL)
		chat_error(u, "nick %s is already in use; you are %s", taken,
		    u->nick);
	for (l = ch->motd; l != NULL && *l != NULL; l++)
		chat_notice(u, "%s", *l);
}

/* Into r: the replay first, then the join, once the replay is out. */
static void
chat_join(struct user *u, struct room *r, int resume, uint64_t epoch,
    uint64_t last)
{
	if (room_join(r, &u->member, u->conn, u->nick, u->mode == USER_FRAME,
	    resume, epoch, last))
		chat_joined(u);
	else
		conn_want_drained(u->conn, 1);
}

static void
chat_joined(struct user *u)
{
	struct room	*r = u->member.room;
	struct frame	 f;

	frame_init(&f, FRAME_JOIN, room_name(r), u->nick, NULL, 0);
	room_broadcast(r, &f);
	if (u->mode == USER_FRAME)
		chat_who(u);
}

/*
 * Takes a user out of its room and the nick table, first telling the
 * room (the user included) why if announce is set and it had joined.
 */
static void
chat_leave(struct user *u, const char *reason, int announce)
{
	struct room	*r = u->member.room;
	struct frame	 f;

	if (!(u->flags & USER_REG))
		return;
	if (announce && r != NULL && u->member.joined) {
		frame_init(&f, FRAME_QUIT, room_name(r), u->nick, reason,
		    reason != NULL ? strlen(reason) : 0);
		room_broadcast(r, &f);
	}
	room_leave(&u->member);
	conn_want_drained(u->conn, 0);
	nick_del(u);
	u->flags &= ~(USER_REG | USER_SPOKE);
	u->chat->nusers--;
}

void
chat_quit(struct user *u, const char *reason)
{
	chat_leave(u, reason, 1);
	conn_linger(u->conn, "quit");
}

void
chat_kick(struct user *u, const char *reason)
{
	chat_leave(u, reason, 1);
	conn_linger(u->conn, "kicked");
}

int
chat_nick(struct user *u, const char *nick, size_t len)
{
	struct user	*o;
	struct frame	 f;
	char		 old[PROTO_NICKMAX + 1];

	if (!proto_valid_nick(nick, len)) {
		chat_error(u, "invalid nick: %.*s (1 to %d characters: a "
		    "letter, then letters, digits, _ or -)", (int)(len > 32 ?
		    32 : len), nick, PROTO_NICKMAX);
		return -1;
	}
	if ((o = chat_find(u->chat, nick, len)) != NULL && o != u) {
		chat_error(u, "nick %.*s is already in use", (int)len, nick);
		return -1;
	}
	if (strlen(u->nick) == len && memcmp(u->nick, nick, len) == 0) {
		chat_notice(u, "you are already %s", u->nick);
		return 0;
	}
	memcpy(old, u->nick, sizeof(old));
	nick_del(u);
	memcpy(u->nick, nick, len);
	u->nick[len] = '\0';
	nick_add(u);
	log_info("%s: %s is now known as %s", conn_addr(u->conn), old,
	    u->nick);
	frame_init(&f, FRAME_NICK, room_name(u->member.room), old, u->nick,
	    len);
	if (u->member.joined)
		room_broadcast(u->member.room, &f);
	else
		chat_send(u, &f);
	return 0;
}

void
chat_move(struct user *u, struct room *to)
{
	struct room	*from = u->member.room;
	struct frame	 f;
	char		 reason[PROTO_ROOMMAX + 16];
	int		 n;

	if (u->member.joined) {
		n = snprintf(reason, sizeof(reason), "joined %s",
		    room_name(to));
		frame_init(&f, FRAME_PART, room_name(from), u->nick, reason,
		    (size_t)n);
		room_broadcast(from, &f);
	}
	room_leave(&u->member);
	conn_want_drained(u->conn, 0);
	chat_join(u, to, 0, 0, 0);
}

void
chat_say(struct user *u, enum frame_kind kind, const char *text,
    size_t len)
{
	struct frame	 f;
	const char	*token = u->token;
	size_t		 n;

	if ((n = text_clean(text, len, clean)) == 0) {
		chat_error(u, "nothing to send once control characters are "
		    "removed; not sent");
		return;
	}
	frame_init(&f, kind, room_name(u->member.room), u->nick, clean, n);
	/* Frame clients see their own line in the room's single order. */
	if (room_say(u->member.room, &u->member, &f, token, u->toklen) == -1) {
		chat_error(u, "message not sent: history could not be stored");
		return;
	}
	u->token = NULL;	/* the room answers it */
}

void
chat_msg(struct user *u, struct user *to, const char *text, size_t len)
{
	struct frame	 f;
	size_t		 n;

	if ((n = text_clean(text, len, clean)) == 0) {
		chat_error(u, "nothing to send once control characters are "
		    "removed; not sent");
		return;
	}
	frame_init(&f, FRAME_PRIV, NULL, u->nick, clean, n);
	chat_send(to, &f);
	f.kind = FRAME_PRIVTO;
	f.nick = to->nick;
	f.nicklen = strlen(to->nick);
	chat_send(u, &f);
}

void
chat_who(struct user *u)
{
	static char	 buf[CHAT_WHO];
	struct frame	 f;
	struct room	*r = u->member.room;
	size_t		 n;

	n = room_who(r, buf, sizeof(buf));
	frame_init(&f, FRAME_WHO, room_name(r), NULL, buf, n);
	chat_send(u, &f);
}

/* What its room said before comes first, then the frame, in its mode. */
void
chat_send(struct user *u, const struct frame *f)
{
	int	n;

	n = frame_render(f, u->mode == USER_FRAME, 0, sendbuf,
	    sizeof(sendbuf));
	if (n <= 0)
		return;
	if (u->member.room != NULL)
		room_send(&u->member, sendbuf, (size_t)n);
	else
		conn_send(u->conn, sendbuf, (size_t)n);
}

static void
chat_vsend(struct user *u, enum frame_kind kind, const char *fmt,
    va_list ap)
{
	struct frame	 f;
	char		 text[1024];
	int		 n;

	if ((n = vsnprintf(text, sizeof(text), fmt, ap)) < 0)
		return;
	/* Cut on a character, never inside one. */
	if ((size_t)n >= sizeof(text))
		n = (int)text_prefix(text, sizeof(text) - 1,
		    sizeof(text) - 1);
	frame_init(&f, kind, u->member.room != NULL ?
	    room_name(u->member.room) : NULL, NULL, text, (size_t)n);
	chat_send(u, &f);
}

void
chat_notice(struct user *u, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	chat_vsend(u, FRAME_NOTICE, fmt, ap);
	va_end(ap);
}

void
chat_error(struct user *u, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	chat_vsend(u, FRAME_ERROR, fmt, ap);
	va_end(ap);
}

void
chat_announce(struct chat *ch, const char *text, size_t len)
{
	struct room	*r;
	struct frame	 f;
	size_t		 n;

	memcpy(clean, "[server] ", 9);
	n = text_clean(text, len, clean + 9);
	for (r = rooms_first(ch->rooms); r != NULL; r = room_next(r)) {
		frame_init(&f, FRAME_NOTICE, room_name(r), NULL, clean, n + 9);
		room_broadcast(r, &f);
	}
}

void
chat_shutdown(struct chat *ch)
{
	struct user	*u;
	struct frame	 f;

	frame_init(&f, FRAME_SHUTDOWN, NULL, NULL, "server shutting down",
	    sizeof("server shutting down") - 1);
	for (u = ch->users; u != NULL; u = u->next) {
		loop_timer_cancel(ch->loop, &u->reg_timer);
		f.room = u->member.room != NULL ? room_name(u->member.room) :
		    "";
		f.roomlen = strlen(f.room);
		chat_send(u, &f);
		conn_linger(u->conn, "server shutting down");
	}
}

static unsigned
nick_hash(const char *s, size_t len)
{
	unsigned	 h = 5381;
	size_t		 i;

	for (i = 0; i < len; i++)
		h = h * 33 + (unsigned)tolower((unsigned char)s[i]);
	return h % CHAT_NICKBUCKETS;
}

struct user *
chat_find(struct chat *ch, const char *nick, size_t len)
{
	struct user	*u;

	for (u = ch->nicks[nick_hash(nick, len)]; u != NULL; u = u->nick_next)
		if (proto_name_eq(u->nick, strlen(u->nick), nick, len))
			return u;
	return NULL;
}

/* Puts u in the nick table: it is registered from now on. */
static void
nick_add(struct user *u)
{
	unsigned	 h = nick_hash(u->nick, strlen(u->nick));

	u->nick_next = u->chat->nicks[h];
	u->chat->nicks[h] = u;
	if (!(u->flags & USER_REG)) {
		u->flags |= USER_REG;
		u->chat->nusers++;
	}
}

static void
nick_del(struct user *u)
{
	struct user	**up;

	up = &u->chat->nicks[nick_hash(u->nick, strlen(u->nick))];
	for (; *up != NULL; up = &(*up)->nick_next) {
		if (*up == u) {
			*up = u->nick_next;
			break;
		}
	}
	u->nick_next = NULL;
}

/* Gives u the next guestN that nobody has taken by /nick. */
static void
nick_guest(struct user *u)
{
	do {
		snprintf(u->nick, sizeof(u->nick), "guest%u",
		    ++u->chat->guest);
	} while (chat_find(u->chat, u->nick, strlen(u->nick)) != NULL);
}
