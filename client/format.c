/*
 * format.c: scrollback lines as the window and /save show them, the
 * nick decorated as text mode decorates it, and the layout of the rows
 * they wrap into.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "proto.h"
#include "scrollback.h"
#include "wrap.h"

#define FMT_TSLEN	6		/* "HH:MM " */
#define FMT_ROWS	16		/* rows held before the first growth */

struct fmt {
	char		*buf;
	size_t		 cap;
	struct wrap_row	*wr;
	int		 wrcap;
	int		 stamped;	/* stamp holds the time of stamp_t */
	time_t		 stamp_t;
	char		 stamp[FMT_TSLEN + 1];
};

static int		reserve(struct fmt *, size_t);
static void		stamp(struct fmt *, int64_t);
static enum frame_kind	frame_kind_of(enum sb_kind);
static void		set_body(struct fmt_line *, int, size_t, int, int);

struct fmt *
fmt_new(void)
{
	struct fmt	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if (reserve(f, 1024) == -1 ||
	    (f->wr = calloc(FMT_ROWS, sizeof(*f->wr))) == NULL) {
		fmt_free(f);
		return NULL;
	}
	f->wrcap = FMT_ROWS;
	return f;
}

void
fmt_free(struct fmt *f)
{
	if (f == NULL)
		return;
	free(f->buf);
	free(f->wr);
	free(f);
}

int
fmt_line(struct fmt *f, const struct sb_line *l, int cols,
    struct fmt_line *out)
{
	const char	*nick, *text, *pre, *post;
	size_t		 nicklen, textlen, prelen, postlen, len;
	int		 deco;

	nick = sb_line_nick(l, &nicklen);
	text = sb_line_text(l, &textlen);
	if (!(deco = proto_decoration(frame_kind_of(sb_line_kind(l)), &pre,
	    &post)))
		nicklen = 0;
	prelen = strlen(pre);
	postlen = strlen(post);
	if (reserve(f, FMT_TSLEN + prelen + nicklen + postlen + textlen + 1) ==
	    -1)
		return -1;
	stamp(f, sb_line_ts(l));
	memcpy(f->buf, f->stamp, FMT_TSLEN);
	len = FMT_TSLEN;
	memcpy(f->buf + len, pre, prelen);
	out->nick = len += prelen;
	memcpy(f->buf + len, nick, nicklen);
	out->nickend = len += nicklen;
	memcpy(f->buf + len, post, postlen);
	len += postlen;
	memcpy(f->buf + len, text, textlen);
	out->s = f->buf;
	out->len = len + textlen;
	f->buf[out->len] = '\0';
	/* A message hangs under its text, a notice under its "*** ". */
	if (deco)
		set_body(out, cols, len, wrap_width(f->buf, len), 0);
	else
		set_body(out, cols, FMT_TSLEN, FMT_TSLEN, textlen >= 4 &&
		    memcmp(text, "*** ", 4) == 0 ? 4 : 0);
	return 0;
}

int
fmt_pending(struct fmt *f, const char *text, int cols, struct fmt_line *out)
{
	static const char	 mark[] = "(pending) ";
	size_t			 mlen = sizeof(mark) - 1, len = strlen(text);

	if (reserve(f, mlen + len + 1) == -1)
		return -1;
	memcpy(f->buf, mark, mlen);
	memcpy(f->buf + mlen, text, len + 1);
	out->s = f->buf;
	out->len = mlen + len;
	out->nick = out->nickend = mlen;
	set_body(out, cols, mlen, (int)mlen, 0);
	return 0;
}

int
fmt_wrap(struct fmt *f, const struct fmt_line *fl, int cols,
    const struct wrap_row **rows)
{
	struct wrap_row	*wr;
	int		 n, i, width = cols - fl->bodycol;

	n = wrap_rows(fl->s + fl->body, fl->len - fl->body, width, fl->extra,
	    f->wr, f->wrcap);
	if (n > f->wrcap) {
		if ((size_t)n > SIZE_MAX / sizeof(*wr) ||
		    (wr = realloc(f->wr, n * sizeof(*wr))) == NULL)
			n = f->wrcap;	/* out of memory: the first rows */
		else {
			f->wr = wr;
			f->wrcap = n;
			n = wrap_rows(fl->s + fl->body, fl->len - fl->body,
			    width, fl->extra, f->wr, n);
		}
	}
	for (i = 0; i < n; i++) {
		f->wr[i].start += fl->body;
		f->wr[i].end += fl->body;
	}
	f->wr[0].start = 0;
	*rows = f->wr;
	return n;
}

int
fmt_rows(struct fmt *f, const struct sb_line *l, int cols)
{
	struct fmt_line	fl;

	if (fmt_line(f, l, cols, &fl) == -1)
		return 1;
	return wrap_rows(fl.s + fl.body, fl.len - fl.body, cols - fl.bodycol,
	    fl.extra, NULL, 0);
}

static int
reserve(struct fmt *f, size_t need)
{
	char	*p;

	if (need <= f->cap)
		return 0;
	if ((p = realloc(f->buf, need)) == NULL)
		return -1;
	f->buf = p;
	f->cap = need;
	return 0;
}

/* "HH:MM " of ts (ms) in local time, made again only for a new second. */
static void
stamp(struct fmt *f, int64_t ts)
{
	time_t		t = (time_t)(ts / 1000);
	struct tm	tm;

	if (f->stamped && t == f->stamp_t)
		return;
	f->stamped = 1;
	f->stamp_t = t;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(f->stamp, sizeof(f->stamp), "%H:%M ", &tm) != FMT_TSLEN)
		memcpy(f->stamp, "--:-- ", FMT_TSLEN + 1);
}

/* The frame kind whose decoration a scrollback kind shows. */
static enum frame_kind
frame_kind_of(enum sb_kind k)
{
	switch (k) {
	case SB_MSG:	return FRAME_MSG;
	case SB_ACT:	return FRAME_ACT;
	case SB_PRIV:	return FRAME_PRIV;
	case SB_PRIVTO:	return FRAME_PRIVTO;
	default:	return FRAME_UNKNOWN;
	}
}

/*
 * Where a line wraps: after a prefix of pw columns ending at byte body,
 * with extra more columns of hanging indent; in a window too narrow for
 * that, the whole line wraps.
 */
static void
set_body(struct fmt_line *out, int cols, size_t body, int pw, int extra)
{
	if (pw + extra <= cols / 2) {
		out->body = body;
		out->bodycol = pw;
		out->extra = extra;
		return;
	}
	out->body = 0;
	out->bodycol = 0;
	out->extra = pw + extra < cols / 3 ? pw + extra : cols / 3;
}
