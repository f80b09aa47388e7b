/*
 * scrollback.c: the message history, a ring of pointers to lines that
 * are each one allocation: a 16-byte header, then the nick and the text,
 * each NUL-terminated.  Dropping the oldest line is one free().
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrollback.h"

#define SB_NICKMAX	255	/* longer nicks are cut on a character */

struct sb_line {
	int64_t		 ts;
	uint32_t	 textlen;
	uint8_t		 kind;
	uint8_t		 flags;
	uint8_t		 nicklen;
	char		 data[];	/* nick, NUL, text, NUL */
};

struct sb {
	struct sb_line	**ring;		/* max slots */
	size_t		  max;
	size_t		  head;		/* slot of the oldest line */
	size_t		  count;
	uint64_t	  total;
};

static void	sb_drop(struct sb *);

struct sb *
sb_new(size_t maxlines)
{
	struct sb	*sb;

	if (maxlines == 0)
		maxlines = 1;
	if ((sb = calloc(1, sizeof *sb)) == NULL)
		return NULL;
	if ((sb->ring = calloc(maxlines, sizeof *sb->ring)) == NULL) {
		free(sb);
		return NULL;
	}
	sb->max = maxlines;
	return sb;
}

void
sb_free(struct sb *sb)
{
	if (sb == NULL)
		return;
	sb_clear(sb);
	free(sb->ring);
	free(sb);
}

/* Frees the oldest line. */
static void
sb_drop(struct sb *sb)
{
	free(sb->ring[sb->head]);
	sb->ring[sb->head] = NULL;
	sb->head = (sb->head + 1) % sb->max;
	sb->count--;
}

int
sb_add(struct sb *sb, enum sb_kind kind, int flags, int64_t ts, const char *nick,
    size_t nicklen, const char *text, size_t textlen)
{
	struct sb_line	*l;

	if ((unsigned)kind > SB_CLIENT || textlen > UINT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (nicklen > SB_NICKMAX) {
		nicklen = SB_NICKMAX;
		while (nicklen > 0 && ((unsigned char)nick[nicklen] & 0xc0) ==
		    0x80)
			nicklen--;
	}
	if ((l = malloc(sizeof *l + nicklen + textlen + 2)) == NULL)
		return -1;
	l->ts = ts;
	l->textlen = (uint32_t)textlen;
	l->kind = (uint8_t)kind;
	l->flags = (uint8_t)flags;
	l->nicklen = (uint8_t)nicklen;
	if (nicklen > 0)
		memcpy(l->data, nick, nicklen);
	l->data[nicklen] = '\0';
	if (textlen > 0)
		memcpy(l->data + nicklen + 1, text, textlen);
	l->data[nicklen + 1 + textlen] = '\0';

	if (sb->count == sb->max)
		sb_drop(sb);
	sb->ring[(sb->head + sb->count) % sb->max] = l;
	sb->count++;
	sb->total++;
	return 0;
}

void
sb_clear(struct sb *sb)
{
	while (sb->count > 0)
		sb_drop(sb);
}

size_t
sb_limit(const struct sb *sb)
{
	return sb->max;
}

size_t
sb_count(const struct sb *sb)
{
	return sb->count;
}

uint64_t
sb_total(const struct sb *sb)
{
	return sb->total;
}

uint64_t
sb_first(const struct sb *sb)
{
	return sb->total - sb->count;
}

const struct sb_line *
sb_get(const struct sb *sb, size_t i)
{
	if (i >= sb->count)
		return NULL;
	return sb->ring[(sb->head + i) % sb->max];
}

enum sb_kind
sb_line_kind(const struct sb_line *l)
{
	return (enum sb_kind)l->kind;
}

int
sb_line_flags(const struct sb_line *l)
{
	return l->flags;
}

int64_t
sb_line_ts(const struct sb_line *l)
{
	return l->ts;
}

const char *
sb_line_nick(const struct sb_line *l, size_t *len)
{
	if (len != NULL)
		*len = l->nicklen;
	return l->data;
}

const char *
sb_line_text(const struct sb_line *l, size_t *len)
{
	if (len != NULL)
		*len = l->textlen;
	return l->data + l->nicklen + 1;
}
