/*
 * proto.c: the typed side of the protocol: input lines and commands, nick
 * and room names, and the frame-mode hello.  Frames are in frame.c.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

static int	is_blank(char);
static int	is_alpha(char);
static char	lower(char);
static int	valid_name(const char *, size_t, size_t);
static int	hello_field(struct hello *, const char *, size_t);

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* ASCII only, whatever the locale says. */
static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * Blank-only lines count as empty: there is nothing in them to say.  A
 * lone "/" is a command with an empty name, which the server refuses.
 */
void
proto_parse_input(const char *line, size_t len, struct input *in)
{
	size_t	i;

	memset(in, 0, sizeof(*in));
	in->text = line;
	for (i = 0; i < len && is_blank(line[i]); i++)
		;
	if (i == len) {
		in->kind = INPUT_EMPTY;
		in->textlen = 0;
		return;
	}
	if (line[0] != '/') {
		in->kind = INPUT_MESSAGE;
		in->textlen = len;
		return;
	}
	if (len > 1 && line[1] == '/') {
		in->kind = INPUT_MESSAGE;
		in->text = line + 1;
		in->textlen = len - 1;
		return;
	}
	in->kind = INPUT_COMMAND;
	in->name = line + 1;
	for (i = 1; i < len && !is_blank(line[i]); i++)
		;
	in->namelen = i - 1;
	while (i < len && is_blank(line[i]))
		i++;
	in->text = line + i;
	in->textlen = len - i;
}

int
proto_is_command(const struct input *in, const char *cmd)
{
	if (in->kind != INPUT_COMMAND)
		return 0;
	return proto_name_eq(in->name, in->namelen, cmd, strlen(cmd));
}

const char *
proto_word(const char *s, size_t len, const char **word, size_t *wordlen)
{
	const char	*end = s + len;

	while (s < end && is_blank(*s))
		s++;
	*word = s;
	while (s < end && !is_blank(*s))
		s++;
	*wordlen = s - *word;
	while (s < end && is_blank(*s))
		s++;
	return s;
}

static int
valid_name(const char *s, size_t len, size_t max)
{
	size_t	i;

	if (len < 1 || len > max || !is_alpha(s[0]))
		return 0;
	for (i = 1; i < len; i++) {
		if (!is_alpha(s[i]) && !(s[i] >= '0' && s[i] <= '9') &&
		    s[i] != '_' && s[i] != '-')
			return 0;
	}
	return 1;
}

int
proto_valid_nick(const char *s, size_t len)
{
	return valid_name(s, len, PROTO_NICKMAX);
}

int
proto_valid_room(const char *s, size_t len)
{
	return valid_name(s, len, PROTO_ROOMMAX);
}

int
proto_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t	i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++) {
		if (lower(a[i]) != lower(b[i]))
			return 0;
	}
	return 1;
}

int
proto_parse_u64(const char *s, size_t len, uint64_t *v)
{
	uint64_t	n = 0;
	size_t		i;
	unsigned	d;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		d = (unsigned char)s[i] - '0';
		if (d > 9)
			return -1;
		/* Up to 19 digits always fit; only the 20th can overflow. */
		if (i == 19 && n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*v = n;
	return 0;
}

int
proto_valid_token(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > PROTO_TOKENMAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '!' || s[i] > '~')
			return 0;
	}
	return 1;
}

int
proto_split_token(const char *line, size_t len, const char **tok,
    size_t *toklen, const char **rest, size_t *restlen)
{
	const char	*sp;

	if (len == 0 || line[0] != '@')
		return 0;
	if ((sp = memchr(line, ' ', len)) == NULL)
		sp = line + len;
	if (!proto_valid_token(line + 1, sp - line - 1))
		return -1;
	*tok = line + 1;
	*toklen = sp - line - 1;
	/* One space ends the token; the line after it is kept as sent. */
	*rest = sp < line + len ? sp + 1 : sp;
	*restlen = line + len - *rest;
	return 1;
}

int
proto_is_hello(const char *line, size_t len)
{
	size_t	n = sizeof(PROTO_HELLO_PREFIX) - 1;

	return len > n && memcmp(line, PROTO_HELLO_PREFIX, n) == 0 &&
	    line[n] >= '0' && line[n] <= '9';
}

/* One key=value of a hello; unknown keys are skipped. */
static int
hello_field(struct hello *h, const char *s, size_t len)
{
	const char	*eq, *v;
	size_t		 klen, vlen;

	if ((eq = memchr(s, '=', len)) == NULL)
		return 0;
	klen = eq - s;
	v = eq + 1;
	vlen = len - klen - 1;
	if (klen == 4 && memcmp(s, "nick", 4) == 0) {
		if (!proto_valid_nick(v, vlen))
			return -1;
		memcpy(h->nick, v, vlen);
		h->nick[vlen] = '\0';
	} else if (klen == 4 && memcmp(s, "room", 4) == 0) {
		if (!proto_valid_room(v, vlen))
			return -1;
		memcpy(h->room, v, vlen);
		h->room[vlen] = '\0';
	} else if (klen == 7 && memcmp(s, "session", 7) == 0) {
		if (!proto_valid_token(v, vlen))
			return -1;
		memcpy(h->session, v, vlen);
		h->session[vlen] = '\0';
	} else if (klen == 5 && memcmp(s, "epoch", 5) == 0)
		return proto_parse_u64(v, vlen, &h->epoch);
	else if (klen == 4 && memcmp(s, "last", 4) == 0)
		return proto_parse_u64(v, vlen, &h->last);
	return 0;
}

int
proto_parse_hello(const char *line, size_t len, struct hello *h)
{
	const char	*p, *end = line + len, *w;
	size_t		 n = sizeof(PROTO_HELLO_PREFIX) - 1, wlen;
	uint64_t	 v;

	memset(h, 0, sizeof(*h));
	if (!proto_is_hello(line, len))
		return -1;
	for (p = line + n; p < end && !is_blank(*p); p++)
		;
	if (proto_parse_u64(line + n, p - (line + n), &v) == -1 || v > 0xffff)
		return -1;
	h->version = (unsigned)v;
	while (p < end) {
		p = proto_word(p, end - p, &w, &wlen);
		if (wlen > 0 && hello_field(h, w, wlen) == -1)
			return -1;
	}
	return 0;
}

int
proto_format_hello(const struct hello *h, char *buf, size_t cap)
{
	size_t	len;
	int	n;

	n = snprintf(buf, cap, "CHAT/%u", h->version);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	len = n;
	if (h->nick[0] != '\0') {
		n = snprintf(buf + len, cap - len, " nick=%s", h->nick);
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += n;
	}
	if (h->room[0] != '\0') {
		n = snprintf(buf + len, cap - len, " room=%s", h->room);
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += n;
	}
	if (h->epoch != 0 || h->last != 0) {
		n = snprintf(buf + len, cap - len, " epoch=%" PRIu64
		    " last=%" PRIu64, h->epoch, h->last);
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += n;
	}
	if (h->session[0] != '\0') {
		n = snprintf(buf + len, cap - len, " session=%s", h->session);
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += n;
	}
	return (int)len;
}
