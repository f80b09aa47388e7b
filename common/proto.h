/*
 * proto.h: the chat wire protocol (man/chat-protocol.7): limits, typed
 * lines and commands, nick and room names, the frame-mode hello and
 * frames, and the text-mode rendering of events.
 */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION		2	/* the newest this side speaks */
#define PROTO_VERSION_MIN	1	/* the oldest */
#define PROTO_PORT		8008
#define PROTO_MAXLINE		4096	/* client to server, bytes with LF */
#define PROTO_MAXFRAME		65536	/* server to client, bytes with CRLF */
#define PROTO_NICKMAX		16
#define PROTO_ROOMMAX		32
#define PROTO_TOKENMAX		64	/* a line's token, bytes */
#define PROTO_LOBBY		"lobby"
#define PROTO_PING_SECS		30	/* a frame-mode client pings when idle */
#define PROTO_DEAD_SECS		90	/* silence after which a link is dead */

/* A line a person typed: a message, a command, or nothing. */
enum input_kind {
	INPUT_EMPTY,		/* empty line: ignored */
	INPUT_MESSAGE,		/* text for the current room */
	INPUT_COMMAND		/* /name args */
};

struct input {
	enum input_kind	 kind;
	const char	*text;		/* message text, or the command's args */
	size_t		 textlen;	/* args have no leading blanks */
	const char	*name;		/* command name, without the slash */
	size_t		 namelen;
};

/*
 * Parses a typed line ("//x" is the message "/x"; a line of blanks only is
 * INPUT_EMPTY; "/" alone is a command with an empty name).  Never fails.
 */
void	proto_parse_input(const char *line, size_t len, struct input *);

/* True if name (namelen bytes) equals the command cmd, ignoring case. */
int	proto_is_command(const struct input *, const char *cmd);

/*
 * Splits off the first blank-separated word of s: *word and *wordlen get
 * it, and the return value points at what follows, blanks skipped (at
 * s + len when nothing does).  *wordlen is 0 when s holds only blanks.
 */
const char *proto_word(const char *s, size_t len, const char **word,
	    size_t *wordlen);

/*
 * From protocol 2 on, a frame-mode client's line may carry a token that
 * names it for good, so that a line sent again is not taken twice:
 *	@TOKEN line
 * TOKEN is 1 to 64 bytes from '!' to '~'.  Returns 1 and sets the token
 * and the line after it for such a line, 0 for a line that does not
 * start with '@', -1 for a malformed one.
 */
int	proto_split_token(const char *line, size_t len, const char **tok,
	    size_t *toklen, const char **rest, size_t *restlen);
int	proto_valid_token(const char *, size_t);

/* Nicks: 1 to 16 of a letter, then letters, digits, '_' or '-'. */
int	proto_valid_nick(const char *, size_t);
/* Rooms: the same rule, up to 32 characters. */
int	proto_valid_room(const char *, size_t);
/* Names compare equal ignoring ASCII case. */
int	proto_name_eq(const char *, size_t, const char *, size_t);

/* Parses 1 to 20 decimal digits without overflow into *v; -1 if not. */
int	proto_parse_u64(const char *, size_t, uint64_t *v);

/*
 * The frame-mode hello, a client's first line:
 *	CHAT/2 [nick=NICK] [room=ROOM] [epoch=EPOCH] [last=ID] [session=KEY]
 * epoch and last name the last message the client saw, for a resume;
 * KEY, token characters, is the client's secret for taking its nick back
 * from a connection of its own that the server still holds.
 */
#define PROTO_HELLO_PREFIX	"CHAT/"

struct hello {
	unsigned	 version;
	char		 nick[PROTO_NICKMAX + 1];	/* "" when not given */
	char		 room[PROTO_ROOMMAX + 1];	/* "" when not given */
	uint64_t	 epoch;				/* 0 when not given */
	uint64_t	 last;				/* 0 when not given */
	char		 session[PROTO_TOKENMAX + 1];	/* "" when not given */
};

/* True if the line is a hello (of any version). */
int	proto_is_hello(const char *line, size_t len);
/* Parses a hello; -1 if malformed (a bad nick or room is malformed). */
int	proto_parse_hello(const char *line, size_t len, struct hello *);
/* Formats a hello line, without its LF; returns its length or -1. */
int	proto_format_hello(const struct hello *, char *buf, size_t cap);

/*
 * Every server-to-client event.  In frame mode it is one line:
 *	KIND TS ROOM NICK EPOCH ID TEXT
 * KIND a lowercase word; TS milliseconds since 1970 UTC; ROOM and NICK
 * escaped, "-" when empty; EPOCH and ID decimal, 0 when none; TEXT the
 * rest of the line, escaped.  Escapes: \\ \s (space) \n \r \t and \xHH.
 */
enum frame_kind {
	FRAME_UNKNOWN,		/* a kind this side does not know */
	FRAME_HELLO,		/* answer to a hello: nick, room, epoch, id */
	FRAME_MSG,		/* nick said text in room */
	FRAME_ACT,		/* action: "* nick text" */
	FRAME_PRIV,		/* private message from nick */
	FRAME_PRIVTO,		/* copy of a private message sent to nick */
	FRAME_JOIN,		/* nick joined room */
	FRAME_PART,		/* nick left room; text is the reason */
	FRAME_QUIT,		/* nick disconnected; text is the reason */
	FRAME_NICK,		/* nick is now known as text */
	FRAME_WHO,		/* members of room: text is "nick nick ..." */
	FRAME_ROOMS,		/* rooms: text is "room:count room:count ..." */
	FRAME_REPLAY,		/* history of room follows; text tells how much */
	FRAME_NOTICE,		/* anything else the server says */
	FRAME_ERROR,		/* the last line could not be carried out */
	FRAME_SHUTDOWN,		/* the server is going away */
	FRAME_PONG,		/* answer to /ping; text is the token */
	FRAME_ACK		/* a line's token (text) was taken as the
				   message id, or refused with id 0 */
};

struct frame {
	enum frame_kind	 kind;
	int64_t		 ts;
	const char	*room;
	size_t		 roomlen;
	const char	*nick;
	size_t		 nicklen;
	uint64_t	 epoch;
	uint64_t	 id;
	const char	*text;
	size_t		 textlen;
	const char	*kindname;	/* set by frame_decode() */
	size_t		 kindlen;
};

/* The kind of a wire name ("msg"); FRAME_UNKNOWN if none. */
enum frame_kind	 frame_kind_parse(const char *, size_t);

/*
 * Encodes a frame as one line ending in CRLF; returns its length, or -1
 * if it does not fit in cap bytes.  A NUL follows when there is room.
 */
int	frame_encode(const struct frame *, char *buf, size_t cap);

/*
 * Decodes one frame line (without CRLF) in place: line is modified and
 * the frame's strings point into it; kindname, room and nick are also
 * NUL-terminated, text is not.  An unknown kind decodes as FRAME_UNKNOWN.
 * -1 if malformed.
 */
int	frame_decode(char *line, size_t len, struct frame *);

/*
 * What goes around the nick of a message, an action or a private
 * message in text mode ("<" and "> ", "* " and " ", "*" and "* ",
 * "-> *" and "* "): returns 1 and sets *pre and *post for those kinds,
 * else returns 0 and sets both to "".  Everything that shows such a
 * line uses it, so the window, /save and text mode agree.
 */
int	proto_decoration(enum frame_kind, const char **pre,
	    const char **post);

/*
 * Fills f as an event of kind with room, nick and text (each may be
 * NULL: empty), stamped now; epoch and id 0.
 */
void	frame_init(struct frame *, enum frame_kind, const char *room,
	    const char *nick, const char *text, size_t len);

/* Flags for proto_render_text() and frame_render(). */
#define RENDER_TIME	0x01	/* prefix "[HH:MM] " from ts, local time */
#define RENDER_CRLF	0x02	/* end with CRLF */

/*
 * Renders an event as the text mode shows it ("<nick> text",
 * "* nick text", "*nick* text", "*** ..."); returns the length, or -1 if
 * it does not fit in cap bytes.
 */
int	proto_render_text(const struct frame *, int flags, char *buf,
	    size_t cap);

/*
 * An event as a connection of either mode receives it: a frame when
 * framed, else its text rendering (with flags) and CRLF; returns the
 * length, or -1 if it does not fit.
 */
int	frame_render(const struct frame *, int framed, int flags, char *buf,
	    size_t cap);

#endif /* PROTO_H */
