/*
 * wire.c: the message text the generator sends, and the classification
 * of the lines it receives (chat text mode and IRC).  Pure: bytes in,
 * results out, no sockets, no allocation.
 */
#include <string.h>

#include "bench.h"

static int	 pad_check(const char *, size_t, size_t);
static char	*put_u64(char *, uint64_t);
static const char *get_u64(const char *, const char *, uint64_t *);
static long	 nick_id(const char *, size_t);
static int	 has_prefix(const char *, size_t, const char *);
static void	 irc_prefixed(const char *, const char *, struct wire_line *);

/* The padding: byte i of a text is ALPHA[i % 26]. */
#define ALPHA	"abcdefghijklmnopqrstuvwxyz"
#define ALPHA4	ALPHA ALPHA ALPHA ALPHA	/* a padding in one memcmp() */

void
wire_encode(char *dst, size_t size, const struct payload *p)
{
	char	*q = dst;
	size_t	 i;

	q = put_u64(q, p->sender);
	*q++ = ' ';
	q = put_u64(q, p->seq);
	*q++ = ' ';
	q = put_u64(q, p->ts);
	*q++ = ' ';
	for (i = (size_t)(q - dst); i < size; i++)
		dst[i] = ALPHA[i % 26];
}

int
wire_check(const char *text, size_t len, size_t size, struct payload *p)
{
	const char	*q = text, *end = text + len;
	uint64_t	 v[3];
	int		 k;

	if (len != size)
		return -1;
	for (k = 0; k < 3; k++) {
		if ((q = get_u64(q, end, &v[k])) == NULL || q == end ||
		    *q++ != ' ')
			return -1;
	}
	if (v[0] > UINT32_MAX || v[1] > UINT32_MAX ||
	    pad_check(q, (size_t)(end - q), (size_t)(q - text)) == -1)
		return -1;
	p->sender = (uint32_t)v[0];
	p->seq = (uint32_t)v[1];
	p->ts = v[2];
	return 0;
}

void
wire_text_line(const char *line, size_t len, struct wire_line *w)
{
	const char	*gt;

	w->from = -1;
	w->text = NULL;
	w->textlen = 0;
	/* Messages first: nearly every line is one. */
	if (len > 3 && line[0] == '<') {
		w->kind = WIRE_OTHER;
		if ((gt = memchr(line, '>', len)) == NULL ||
		    gt + 1 >= line + len || gt[1] != ' ')
			return;
		w->kind = WIRE_MSG;
		w->from = nick_id(line + 1, (size_t)(gt - line - 1));
		w->text = gt + 2;
		w->textlen = len - (size_t)(gt + 2 - line);
	} else if (has_prefix(line, len, "*** error"))
		w->kind = WIRE_ERROR;
	else if (has_prefix(line, len, "*** ") || has_prefix(line, len, "["))
		w->kind = WIRE_NOTICE;	/* server talk, or history replay */
	else
		w->kind = WIRE_OTHER;
}

int
wire_text_is_nick(const char *line, size_t len, long id)
{
	static const char	 says[] = " now known as ";
	size_t			 n = sizeof(says) - 1, i = len;

	while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9')
		i--;
	if (i == len || i < n + 1 || line[i - 1] != 'b' ||
	    memcmp(line + i - 1 - n, says, n) != 0)
		return 0;
	return nick_id(line + i - 1, len - i + 1) == id;
}

void
wire_irc_line(const char *line, size_t len, struct wire_line *w)
{
	const char	*end = line + len;

	w->from = -1;
	w->text = NULL;
	w->textlen = 0;
	if (has_prefix(line, len, "PING ")) {
		w->kind = WIRE_PING;
		w->text = line + 5;
		w->textlen = len - 5;
	} else if (has_prefix(line, len, "ERROR"))
		w->kind = WIRE_ERROR;
	else if (len > 1 && line[0] == ':')
		irc_prefixed(line, end, w);
	else
		w->kind = WIRE_OTHER;
}

/* ":prefix COMMAND args": PRIVMSG, end of NAMES, error numerics. */
static void
irc_prefixed(const char *line, const char *end, struct wire_line *w)
{
	const char	*sp, *cmd, *bang, *arg, *colon;
	size_t		 cmdlen;

	w->kind = WIRE_NOTICE;
	if ((sp = memchr(line, ' ', (size_t)(end - line))) == NULL)
		return;
	cmd = sp + 1;
	arg = memchr(cmd, ' ', (size_t)(end - cmd));
	cmdlen = (size_t)((arg != NULL ? arg : end) - cmd);
	if (cmdlen == 3 && memcmp(cmd, "366", 3) == 0)
		w->kind = WIRE_NAMES_END;
	else if (cmdlen == 3 && (cmd[0] == '4' || cmd[0] == '5') &&
	    memcmp(cmd, "422", 3) != 0)	/* 422: no MOTD, not a refusal */
		w->kind = WIRE_ERROR;
	else if (cmdlen == 7 && memcmp(cmd, "PRIVMSG", 7) == 0) {
		w->kind = WIRE_OTHER;
		bang = memchr(line, '!', (size_t)(sp - line));
		if (arg == NULL || (colon = memchr(arg + 1, ' ',
		    (size_t)(end - arg - 1))) == NULL || colon + 1 >= end ||
		    colon[1] != ':')
			return;
		w->kind = WIRE_MSG;
		w->from = nick_id(line + 1, (size_t)((bang != NULL ? bang :
		    sp) - line - 1));
		w->text = colon + 2;
		w->textlen = (size_t)(end - colon - 2);
	}
}

/* Checks len bytes of padding starting at text offset off, four runs of
 * the alphabet at a time (no division per byte: this runs for every line). */
static int
pad_check(const char *q, size_t len, size_t off)
{
	size_t	 i = off % 26, n;

	while (len > 0) {
		n = sizeof(ALPHA4) - 1 - i < len ? sizeof(ALPHA4) - 1 - i : len;
		if (memcmp(q, &ALPHA4[i], n) != 0)
			return -1;
		q += n;
		len -= n;
		i = 0;	/* a chunk ends at the end of ALPHA4: a whole run */
	}
	return 0;
}

/* "bN" is client N; anything else is -1. */
static long
nick_id(const char *s, size_t len)
{
	uint64_t	 v;

	if (len < 2 || len > 10 || s[0] != 'b' ||
	    get_u64(s + 1, s + len, &v) != s + len)
		return -1;
	return (long)v;
}

static int
has_prefix(const char *s, size_t len, const char *pre)
{
	size_t	 n = strlen(pre);

	return len >= n && memcmp(s, pre, n) == 0;
}

/* Decimal digits at s (at least one, at most 20); NULL if none. */
static const char *
get_u64(const char *s, const char *end, uint64_t *v)
{
	const char	*start = s;
	uint64_t	 acc = 0;	/* not *v: a char store may alias it */

	if (end - s > 20)
		end = s + 20;
	while (s < end && (unsigned char)(*s - '0') <= 9)
		acc = acc * 10 + (uint64_t)(*s++ - '0');
	*v = acc;
	return s == start ? NULL : s;
}

static char *
put_u64(char *q, uint64_t v)
{
	char	 tmp[20];
	int	 n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*q++ = tmp[--n];
	return q;
}
