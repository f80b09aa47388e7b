/*
 * frame.c: frame-mode lines (encode, decode in place) and the text-mode
 * rendering of the same events.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "proto.h"

/* A bounded output buffer; full is set once anything did not fit. */
struct wbuf {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	int	 full;
};

static const char *const kind_names[] = {
	[FRAME_UNKNOWN] = "unknown",
	[FRAME_HELLO] = "hello",
	[FRAME_MSG] = "msg",
	[FRAME_ACT] = "act",
	[FRAME_PRIV] = "priv",
	[FRAME_PRIVTO] = "privto",
	[FRAME_JOIN] = "join",
	[FRAME_PART] = "part",
	[FRAME_QUIT] = "quit",
	[FRAME_NICK] = "nick",
	[FRAME_WHO] = "who",
	[FRAME_ROOMS] = "rooms",
	[FRAME_REPLAY] = "replay",
	[FRAME_NOTICE] = "notice",
	[FRAME_ERROR] = "error",
	[FRAME_SHUTDOWN] = "shutdown",
	[FRAME_PONG] = "pong",
	[FRAME_ACK] = "ack"
};
#define NKINDS	(sizeof(kind_names) / sizeof(kind_names[0]))

static void	put(struct wbuf *, const void *, size_t);
static void	put_str(struct wbuf *, const char *);
static void	put_num(struct wbuf *, const char *, uint64_t);
static void	put_escaped(struct wbuf *, const char *, size_t, int);
static int	wbuf_done(struct wbuf *);
static int	valid_kindname(const char *, size_t);
static int	next_field(char **, char *, char **, size_t *);
static int	next_name(char **, char *, const char **, size_t *);
static int	unescape(char *, size_t, size_t *);
static int	hexval(char);
static void	render_event(struct wbuf *, const struct frame *);
static void	render_rooms(struct wbuf *, const char *, size_t);
static size_t	count_words(const char *, size_t);

enum frame_kind
frame_kind_parse(const char *s, size_t len)
{
	size_t	i;

	for (i = FRAME_UNKNOWN + 1; i < NKINDS; i++) {
		if (strlen(kind_names[i]) == len &&
		    memcmp(kind_names[i], s, len) == 0)
			return (enum frame_kind)i;
	}
	return FRAME_UNKNOWN;
}

/*
 * The line is NUL-terminated when there is room for it.  A FRAME_UNKNOWN
 * frame is encoded under its kindname, so a relay can pass it on.  A
 * negative ts is sent as 0.
 */
int
frame_encode(const struct frame *f, char *buf, size_t cap)
{
	struct wbuf	 w = { buf, 0, cap, 0 };
	const char	*kind;
	size_t		 kindlen;

	if (f->kind == FRAME_UNKNOWN || (size_t)f->kind >= NKINDS) {
		if (f->kindname == NULL ||
		    !valid_kindname(f->kindname, f->kindlen))
			return -1;
		kind = f->kindname;
		kindlen = f->kindlen;
	} else {
		kind = kind_names[f->kind];
		kindlen = strlen(kind);
	}
	put(&w, kind, kindlen);
	put_num(&w, " ", f->ts < 0 ? 0 : (uint64_t)f->ts);
	put(&w, " ", 1);
	put_escaped(&w, f->room, f->roomlen, 1);
	put(&w, " ", 1);
	put_escaped(&w, f->nick, f->nicklen, 1);
	put_num(&w, " ", f->epoch);
	put_num(&w, " ", f->id);
	put(&w, " ", 1);
	put_escaped(&w, f->text, f->textlen, 0);
	put(&w, "\r\n", 2);
	return wbuf_done(&w);
}

/*
 * The kind name, room and nick come out NUL-terminated (an empty room or
 * nick is ""); the text is counted by textlen only.
 */
int
frame_decode(char *line, size_t len, struct frame *f)
{
	char		*p = line, *end = line + len, *tok;
	size_t		 toklen;
	uint64_t	 ts;

	memset(f, 0, sizeof(*f));
	if (next_field(&p, end, &tok, &toklen) == -1 ||
	    !valid_kindname(tok, toklen))
		return -1;
	tok[toklen] = '\0';
	f->kindname = tok;
	f->kindlen = toklen;
	f->kind = frame_kind_parse(tok, toklen);

	if (next_field(&p, end, &tok, &toklen) == -1 ||
	    proto_parse_u64(tok, toklen, &ts) == -1 || ts > INT64_MAX)
		return -1;
	f->ts = (int64_t)ts;

	if (next_name(&p, end, &f->room, &f->roomlen) == -1 ||
	    next_name(&p, end, &f->nick, &f->nicklen) == -1)
		return -1;

	if (next_field(&p, end, &tok, &toklen) == -1 ||
	    proto_parse_u64(tok, toklen, &f->epoch) == -1)
		return -1;
	if (next_field(&p, end, &tok, &toklen) == -1 ||
	    proto_parse_u64(tok, toklen, &f->id) == -1)
		return -1;

	if (unescape(p, end - p, &f->textlen) == -1)
		return -1;
	f->text = p;
	return 0;
}

void
frame_init(struct frame *f, enum frame_kind kind, const char *room,
    const char *nick, const char *text, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->ts = clock_wall_ms();
	f->room = room != NULL ? room : "";
	f->roomlen = strlen(f->room);
	f->nick = nick != NULL ? nick : "";
	f->nicklen = strlen(f->nick);
	f->text = text != NULL ? text : "";
	f->textlen = text != NULL ? len : 0;
}

int
frame_render(const struct frame *f, int framed, int flags, char *buf,
    size_t cap)
{
	if (framed)
		return frame_encode(f, buf, cap);
	return proto_render_text(f, flags | RENDER_CRLF, buf, cap);
}

int
proto_render_text(const struct frame *f, int flags, char *buf, size_t cap)
{
	struct wbuf	w = { buf, 0, cap, 0 };
	struct tm	tm;
	time_t		t;
	char		stamp[32];

	if (flags & RENDER_TIME) {
		t = (time_t)(f->ts / 1000);
		if (localtime_r(&t, &tm) == NULL)
			return -1;
		snprintf(stamp, sizeof(stamp), "[%02d:%02d] ", tm.tm_hour,
		    tm.tm_min);
		put_str(&w, stamp);
	}
	render_event(&w, f);
	if (flags & RENDER_CRLF)
		put(&w, "\r\n", 2);
	return wbuf_done(&w);
}

int
proto_decoration(enum frame_kind k, const char **pre, const char **post)
{
	switch (k) {
	case FRAME_MSG:
		*pre = "<";
		*post = "> ";
		return 1;
	case FRAME_ACT:
		*pre = "* ";
		*post = " ";
		return 1;
	case FRAME_PRIV:
		*pre = "*";
		*post = "* ";
		return 1;
	case FRAME_PRIVTO:
		*pre = "-> *";
		*post = "* ";
		return 1;
	default:
		*pre = *post = "";
		return 0;
	}
}

/*
 * The event itself, as text mode shows it: the decorated kinds, then a
 * flat switch over the others.
 */
static void
render_event(struct wbuf *w, const struct frame *f)
{
	const char	*pre, *post;

	if (proto_decoration(f->kind, &pre, &post)) {
		put_str(w, pre);
		put(w, f->nick, f->nicklen);
		put_str(w, post);
		put(w, f->text, f->textlen);
		return;
	}
	switch (f->kind) {
	case FRAME_HELLO:
		put_str(w, "*** connected to ");
		put(w, f->room, f->roomlen);
		put_str(w, " as ");
		put(w, f->nick, f->nicklen);
		return;
	case FRAME_JOIN:
	case FRAME_PART:
	case FRAME_QUIT:
		put_str(w, "*** ");
		put(w, f->nick, f->nicklen);
		if (f->kind == FRAME_QUIT)
			put_str(w, " quit");
		else {
			put_str(w, f->kind == FRAME_JOIN ? " joined " :
			    " left ");
			put(w, f->room, f->roomlen);
		}
		if (f->kind != FRAME_JOIN && f->textlen > 0) {
			put(w, " (", 2);
			put(w, f->text, f->textlen);
			put(w, ")", 1);
		}
		return;
	case FRAME_NICK:
		put_str(w, "*** ");
		put(w, f->nick, f->nicklen);
		put_str(w, " is now known as ");
		break;
	case FRAME_WHO:
		put_str(w, "*** users in ");
		put(w, f->room, f->roomlen);
		put_num(w, " (", count_words(f->text, f->textlen));
		put(w, f->textlen > 0 ? "): " : ")", f->textlen > 0 ? 3 : 1);
		break;
	case FRAME_ROOMS:
		put_str(w, "*** rooms: ");
		render_rooms(w, f->text, f->textlen);
		return;
	case FRAME_ERROR:
		put_str(w, "*** error: ");
		break;
	case FRAME_PONG:
		put_str(w, "*** pong ");
		break;
	default:		/* replay, notice, shutdown, unknown */
		put_str(w, "*** ");
		break;
	}
	put(w, f->text, f->textlen);
}

/* "lobby:3 dev:1" becomes "lobby (3), dev (1)". */
static void
render_rooms(struct wbuf *w, const char *s, size_t len)
{
	const char	*end = s + len, *word, *colon;
	size_t		 wlen, i;
	int		 first = 1;

	while (s < end) {
		s = proto_word(s, end - s, &word, &wlen);
		if (wlen == 0)
			break;
		if (!first)
			put(w, ", ", 2);
		first = 0;
		colon = NULL;
		for (i = 0; i < wlen; i++) {
			if (word[i] == ':')
				colon = word + i;
		}
		if (colon == NULL) {
			put(w, word, wlen);
			continue;
		}
		put(w, word, colon - word);
		put(w, " (", 2);
		put(w, colon + 1, word + wlen - colon - 1);
		put(w, ")", 1);
	}
}

static size_t
count_words(const char *s, size_t len)
{
	const char	*end = s + len, *word;
	size_t		 wlen, n = 0;

	while (s < end) {
		s = proto_word(s, end - s, &word, &wlen);
		if (wlen > 0)
			n++;
	}
	return n;
}

static void
put(struct wbuf *w, const void *p, size_t n)
{
	if (w->full || n > w->cap - w->len) {
		w->full = 1;
		return;
	}
	if (n > 0)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void
put_str(struct wbuf *w, const char *s)
{
	put(w, s, strlen(s));
}

/* The prefix, then v in decimal. */
static void
put_num(struct wbuf *w, const char *prefix, uint64_t v)
{
	char	tmp[32];
	int	n;

	n = snprintf(tmp, sizeof(tmp), "%s%" PRIu64, prefix, v);
	put(w, tmp, (size_t)n);
}

/*
 * Escapes s: backslash, controls and DEL always; in a field (room, nick)
 * also spaces, "-" for empty and "\x2d" for a literal "-".
 */
static void
put_escaped(struct wbuf *w, const char *s, size_t len, int field)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, run;
	char			 esc[4];
	unsigned char		 c;

	if (field && len == 0) {
		put(w, "-", 1);
		return;
	}
	if (field && len == 1 && s[0] == '-') {
		put(w, "\\x2d", 4);
		return;
	}
	while (i < len) {
		for (run = i; run < len; run++) {
			c = u[run];
			if (c < 0x20 || c == 0x7f || c == '\\' ||
			    (field && c == ' '))
				break;
		}
		put(w, s + i, run - i);
		if ((i = run) == len)
			break;
		c = u[i++];
		esc[0] = '\\';
		switch (c) {
		case '\\':
			put(w, "\\\\", 2);
			continue;
		case ' ':
			put(w, "\\s", 2);
			continue;
		case '\n':
			put(w, "\\n", 2);
			continue;
		case '\r':
			put(w, "\\r", 2);
			continue;
		case '\t':
			put(w, "\\t", 2);
			continue;
		}
		esc[1] = 'x';
		esc[2] = hex[c >> 4];
		esc[3] = hex[c & 0xf];
		put(w, esc, 4);
	}
}

/* Returns the length, NUL-terminating when there is room, or -1. */
static int
wbuf_done(struct wbuf *w)
{
	if (w->full || w->len > INT_MAX)
		return -1;
	if (w->len < w->cap)
		w->buf[w->len] = '\0';
	return (int)w->len;
}

/* A lowercase word: a letter, then letters, digits or '_'. */
static int
valid_kindname(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 1; i < len; i++) {
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '_')
			return 0;
	}
	return 1;
}

/* Takes the non-empty field at *p up to the next space; -1 if none. */
static int
next_field(char **p, char *end, char **tok, size_t *toklen)
{
	char	*sp;

	if ((sp = memchr(*p, ' ', end - *p)) == NULL || sp == *p)
		return -1;
	*tok = *p;
	*toklen = sp - *p;
	*p = sp + 1;
	return 0;
}

/* Takes a ROOM or NICK field, unescaped and NUL-terminated in place. */
static int
next_name(char **p, char *end, const char **name, size_t *namelen)
{
	char	*tok;
	size_t	 len;

	if (next_field(p, end, &tok, &len) == -1)
		return -1;
	if (len == 1 && tok[0] == '-')
		len = 0;
	else if (unescape(tok, len, &len) == -1)
		return -1;
	tok[len] = '\0';
	*name = tok;
	*namelen = len;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Undoes the escapes of s in place; -1 on a bad or cut escape. */
static int
unescape(char *s, size_t len, size_t *out)
{
	char	*bs;
	size_t	 i, o;
	int	 hi, lo;

	if ((bs = memchr(s, '\\', len)) == NULL) {
		*out = len;
		return 0;
	}
	for (i = o = bs - s; i < len; i++) {
		if (s[i] != '\\') {
			s[o++] = s[i];
			continue;
		}
		if (++i == len)
			return -1;
		switch (s[i]) {
		case '\\':
			s[o++] = '\\';
			break;
		case 's':
			s[o++] = ' ';
			break;
		case 'n':
			s[o++] = '\n';
			break;
		case 'r':
			s[o++] = '\r';
			break;
		case 't':
			s[o++] = '\t';
			break;
		case 'x':
			if (len - i < 3 || (hi = hexval(s[i + 1])) == -1 ||
			    (lo = hexval(s[i + 2])) == -1)
				return -1;
			s[o++] = (char)(hi << 4 | lo);
			i += 2;
			break;
		default:
			return -1;
		}
	}
	*out = o;
	return 0;
}
