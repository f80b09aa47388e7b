/*
 * fuzz_client_recv.c: what a hostile server can make the client show.
 * The input is what the socket delivers; it takes the client's path for
 * received bytes: the line decoder as client/session.c configures it,
 * reads of varying sizes, frame_decode() of each line, then what the TUI
 * and the plain mode do with the result: sanitize() of every field shown,
 * proto_render_text() of the events, the notice for an unreadable line,
 * and the scrollback that keeps it all.  Whatever arrives, every byte
 * that would reach the terminal is valid UTF-8 with no C0 or C1 control,
 * no DEL or ESC, no bidirectional control and nothing unprintable.
 *
 * The first input byte sets the size of the reads; the rest is the
 * stream from the server.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "linebuf.h"
#include "proto.h"
#include "sanitize.h"
#include "scrollback.h"

/* As client/session.c, client/tui.c and client/plain.c set them. */
#define READ_CHUNK	(256 * 1024)		/* the decoder's buffer */
#define RENDER		(PROTO_MAXFRAME + 256)	/* a frame as text */
#define NICKSHOW	(PROTO_NICKMAX * 4)	/* the most of a nick shown */
#define SBLINES		64

static const char	 unreadable[] = "*** unreadable line from the server: ";

struct client {
	struct sb	*sb;
	char		*render;
	char		*clean;
	char		 cleannick[SANITIZE_MAX(NICKSHOW) + 1];
};

static void	line_in(struct client *, char *, size_t);
static void	frame_in(struct client *, const struct frame *);
static void	bad_in(struct client *, const char *, size_t);
static void	show(struct client *, enum sb_kind, const char *, size_t,
		    const char *, size_t);
static size_t	safe(struct client *, const char *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct client	 c;
	struct linebuf		*lb;
	size_t			 rd, done = 0, avail, n, len;
	char			*space, *line;
	int			 r;

	if (size < 1)
		return 0;
	rd = 1 + (size_t)data[0] * data[0];
	data++;
	size--;
	if (c.render == NULL) {
		c.render = malloc(RENDER);
		c.clean = malloc(SANITIZE_MAX(RENDER) + 1);
		if (c.render == NULL || c.clean == NULL)
			abort();
	}
	if ((c.sb = sb_new(SBLINES)) == NULL ||
	    (lb = linebuf_new(PROTO_MAXFRAME, READ_CHUNK, 0)) == NULL)
		abort();

	/* The read loop of session.c: read, commit, take every line. */
	while (done < size) {
		space = linebuf_space(lb, &avail);
		FUZZ_CHECK(space != NULL && avail > 0);
		n = size - done < rd ? size - done : rd;
		n = n < avail ? n : avail;
		memcpy(space, data + done, n);
		linebuf_commit(lb, n);
		done += n;
		while ((r = linebuf_next(lb, &line, &len)) != LINEBUF_NONE)
			line_in(&c, r == LINEBUF_LINE ? line : NULL, len);
		linebuf_trim(lb);
	}
	linebuf_free(lb);
	FUZZ_CHECK(sb_count(c.sb) <= SBLINES);
	sb_free(c.sb);
	return 0;
}

/* One line from the server (NULL: it was too long). */
static void
line_in(struct client *c, char *line, size_t len)
{
	struct frame	f;

	if (line == NULL)
		return;		/* the client says so in its own words */
	FUZZ_CHECK(len < PROTO_MAXFRAME);
	if (frame_decode(line, len, &f) == -1) {
		bad_in(c, line, len);
		return;
	}
	frame_in(c, &f);
}

static void
frame_in(struct client *c, const struct frame *f)
{
	int	n;

	switch (f->kind) {
	case FRAME_UNKNOWN:
		return;		/* ignored, for forward compatibility */
	case FRAME_MSG:
		show(c, SB_MSG, f->nick, f->nicklen, f->text, f->textlen);
		break;
	case FRAME_ACT:
		show(c, SB_ACT, f->nick, f->nicklen, f->text, f->textlen);
		break;
	case FRAME_PRIV:
		show(c, SB_PRIV, f->nick, f->nicklen, f->text, f->textlen);
		break;
	case FRAME_PRIVTO:
		show(c, SB_PRIVTO, f->nick, f->nicklen, f->text, f->textlen);
		break;
	default:
		n = proto_render_text(f, 0, c->render, RENDER);
		FUZZ_CHECK(n >= 0);
		show(c, SB_NOTICE, "", 0, c->render, (size_t)n);
		break;
	}
	/* The plain mode: replayed history with its time, then printed. */
	n = proto_render_text(f, RENDER_TIME, c->render, RENDER);
	if (n >= 0)
		safe(c, c->render, (size_t)n);
	n = proto_render_text(f, 0, c->render, RENDER);
	FUZZ_CHECK(n >= 0);
	safe(c, c->render, (size_t)n);
}

/* A line that is not a frame is shown, made safe, after a notice. */
static void
bad_in(struct client *c, const char *line, size_t len)
{
	size_t	pre = sizeof(unreadable) - 1, n;

	if (len > RENDER - sizeof(unreadable))
		len = RENDER - sizeof(unreadable);
	memcpy(c->render, unreadable, pre);
	memcpy(c->render + pre, line, len);
	n = safe(c, c->render, pre + len);
	FUZZ_CHECK(n >= pre && memcmp(c->clean, unreadable, pre) == 0);
	safe(c, line, len);	/* the plain mode prints it as it is */
}

/* As the TUI adds a line: nick and text made safe, then kept. */
static void
show(struct client *c, enum sb_kind kind, const char *nick, size_t nicklen,
    const char *text, size_t textlen)
{
	const struct sb_line	*l;
	const char		*s;
	size_t			 nn = 0, tn, len;

	if (nicklen > NICKSHOW)
		nicklen = NICKSHOW;
	if (nicklen > 0) {
		nn = sanitize(nick, nicklen, c->cleannick);
		FUZZ_CHECK(nn < sizeof(c->cleannick));
		FUZZ_CHECK(fuzz_safe(c->cleannick, nn));
	}
	tn = safe(c, text, textlen);
	FUZZ_CHECK(sb_add(c->sb, kind, 0, 1, c->cleannick, nn, c->clean,
	    tn) == 0);
	l = sb_get(c->sb, sb_count(c->sb) - 1);
	FUZZ_CHECK(l != NULL && sb_line_kind(l) == kind);
	s = sb_line_text(l, &len);
	FUZZ_CHECK(len == tn && memcmp(s, c->clean, tn) == 0 && s[len] == 0);
	FUZZ_CHECK(fuzz_safe(s, len));
	s = sb_line_nick(l, &len);
	FUZZ_CHECK(len <= nn && memcmp(s, c->cleannick, len) == 0);
	FUZZ_CHECK(s[len] == '\0');
}

/* sanitize() into the client's buffer, checking what it made. */
static size_t
safe(struct client *c, const char *s, size_t len)
{
	size_t	n;

	FUZZ_CHECK(len <= RENDER);
	n = sanitize(s, len, c->clean);
	FUZZ_CHECK(n <= SANITIZE_MAX(len));
	FUZZ_CHECK(fuzz_safe(c->clean, n));
	FUZZ_CHECK(memchr(c->clean, '\x1b', n) == NULL);
	return n;
}
