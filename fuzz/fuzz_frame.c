/*
 * fuzz_frame.c: the frame decoder and encoder.  No input crashes the
 * decoder; a frame that decodes encodes to one well-formed line that
 * decodes to the same fields, and encodes again to the same bytes; any
 * fields, however odd their bytes, survive encode and decode; rendering
 * for text mode stays inside its buffer whatever its size.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proto.h"

#define NKINDS	(FRAME_ACK + 1)

/* The wire names, written out again so the codec cannot vouch for itself. */
static const char *const names[NKINDS] = {
	"unknown", "hello", "msg", "act", "priv", "privto", "join", "part",
	"quit", "nick", "who", "rooms", "replay", "notice", "error",
	"shutdown", "pong", "ack"
};
#define FIELDS	28		/* bytes a field-driven frame needs first */

static void	check_decoded(const uint8_t *, size_t);
static void	check_fields(const uint8_t *, size_t);
static void	check_render(const struct frame *, const uint8_t *, size_t);
static void	roundtrip(const struct frame *, const struct frame *);
static size_t	take(const char **, const char *, size_t);
static int	same(const char *, size_t, const char *, size_t);
static int	kindname_ok(const char *, size_t);
static uint64_t	get64(const uint8_t *);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_decoded(data, size);
	check_fields(data, size);
	return 0;
}

/* The input as a line from the network. */
static void
check_decoded(const uint8_t *data, size_t size)
{
	struct frame	 f;
	char		*line;

	if ((line = malloc(size + 1)) == NULL)
		abort();
	memcpy(line, data, size);
	if (frame_decode(line, size, &f) == 0) {
		FUZZ_CHECK(kindname_ok(f.kindname, f.kindlen));
		FUZZ_CHECK(f.kindname[f.kindlen] == '\0');
		FUZZ_CHECK(f.room[f.roomlen] == '\0');
		FUZZ_CHECK(f.nick[f.nicklen] == '\0');
		FUZZ_CHECK(f.text >= line && f.text + f.textlen <= line + size);
		FUZZ_CHECK(f.ts >= 0);
		FUZZ_CHECK(f.kind == frame_kind_parse(f.kindname, f.kindlen));
		roundtrip(&f, &f);
		check_render(&f, data, size);
	}
	free(line);
}

/*
 * The input as the fields of a frame: kind, ts, epoch, id, then three
 * lengths for the kind name (used for an unknown kind), room and nick;
 * the rest is the text.
 */
static void
check_fields(const uint8_t *data, size_t size)
{
	struct frame	 f, want;
	const char	*p, *end;

	if (size < FIELDS)
		return;
	p = (const char *)data + FIELDS;
	end = (const char *)data + size;
	memset(&f, 0, sizeof(f));
	f.kind = (enum frame_kind)(data[0] % (NKINDS + 1));
	f.ts = (int64_t)get64(data + 1);
	f.epoch = get64(data + 9);
	f.id = get64(data + 17);
	f.kindname = p;
	f.kindlen = take(&p, end, data[25] % 16);
	f.room = p;
	f.roomlen = take(&p, end, data[26]);
	f.nick = p;
	f.nicklen = take(&p, end, data[27]);
	f.text = p;
	f.textlen = end - p;

	want = f;
	if (f.ts < 0)
		want.ts = 0;	/* sent as 0 */
	if (f.kind == FRAME_UNKNOWN || (size_t)f.kind >= NKINDS) {
		if (!kindname_ok(f.kindname, f.kindlen)) {
			char	buf[64];

			FUZZ_CHECK(frame_encode(&f, buf, sizeof(buf)) == -1);
			return;
		}
		want.kind = frame_kind_parse(f.kindname, f.kindlen);
	} else {
		want.kindname = names[f.kind];
		want.kindlen = strlen(want.kindname);
	}
	roundtrip(&f, &want);
}

/*
 * Encodes f: the line is exactly as long as encode says, ends in CRLF and
 * holds no other control byte; decoding it gives want, and encoding that
 * gives the same line.  One byte less of room makes encode fail.
 */
static void
roundtrip(const struct frame *f, const struct frame *want)
{
	struct frame	 g;
	char		*buf, *again, *third;
	size_t		 cap, i;
	int		 n, m;

	cap = 4 * (f->roomlen + f->nicklen + f->textlen) + f->kindlen + 128;
	buf = malloc(cap);
	again = malloc(cap);
	third = malloc(cap);
	if (buf == NULL || again == NULL || third == NULL)
		abort();
	n = frame_encode(f, buf, cap);
	FUZZ_CHECK(n >= 2 && (size_t)n < cap && buf[n] == '\0');
	FUZZ_CHECK(buf[n - 2] == '\r' && buf[n - 1] == '\n');
	for (i = 0; i < (size_t)n - 2; i++)
		FUZZ_CHECK((unsigned char)buf[i] >= 0x20 && buf[i] != 0x7f);
	FUZZ_CHECK(frame_encode(f, again, (size_t)n) == n);
	FUZZ_CHECK(frame_encode(f, again, (size_t)n - 1) == -1);

	memcpy(again, buf, n);
	FUZZ_CHECK(frame_decode(again, (size_t)n - 2, &g) == 0);
	FUZZ_CHECK(g.kind == want->kind);
	FUZZ_CHECK(same(g.kindname, g.kindlen, want->kindname,
	    want->kindlen));
	FUZZ_CHECK(g.ts == want->ts);
	FUZZ_CHECK(same(g.room, g.roomlen, want->room, want->roomlen));
	FUZZ_CHECK(same(g.nick, g.nicklen, want->nick, want->nicklen));
	FUZZ_CHECK(g.epoch == want->epoch && g.id == want->id);
	FUZZ_CHECK(same(g.text, g.textlen, want->text, want->textlen));

	m = frame_encode(&g, third, cap);
	FUZZ_CHECK(m == n && memcmp(third, buf, n) == 0);
	free(third);
	free(again);
	free(buf);
}

/* Text-mode rendering in a buffer of any size: it fits or it fails. */
static void
check_render(const struct frame *f, const uint8_t *data, size_t size)
{
	char	*buf;
	size_t	 cap, full;
	int	 n, flags;

	flags = size > 0 ? data[0] & (RENDER_TIME | RENDER_CRLF) : 0;
	full = f->roomlen + f->nicklen + 3 * f->textlen + 128;
	if ((buf = malloc(full)) == NULL)
		abort();
	n = proto_render_text(f, flags, buf, full);
	FUZZ_CHECK(n >= 0 || (flags & RENDER_TIME));
	if (n < 0) {
		free(buf);
		return;		/* a time localtime() cannot express */
	}
	FUZZ_CHECK((size_t)n < full);
	if (flags & RENDER_CRLF)
		FUZZ_CHECK(n >= 2 && buf[n - 2] == '\r' && buf[n - 1] == '\n');
	cap = size > 1 ? data[1] % ((size_t)n + 1) : 0;
	free(buf);
	/* An exact allocation, so that ASan catches a write past cap. */
	buf = malloc(cap > 0 ? cap : 1);
	if (buf == NULL)
		abort();
	FUZZ_CHECK(proto_render_text(f, flags, buf, cap) ==
	    ((size_t)n <= cap ? n : -1));
	free(buf);
}

/* Up to want bytes from *p, as many as there are before end. */
static size_t
take(const char **p, const char *end, size_t want)
{
	size_t	n = (size_t)(end - *p);

	if (want < n)
		n = want;
	*p += n;
	return n;
}

static int
same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* A lowercase word: a letter, then letters, digits or '_'. */
static int
kindname_ok(const char *s, size_t len)
{
	size_t	i;

	if (s == NULL || len == 0 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] < 'a' || s[i] > 'z') &&
		    (s[i] < '0' || s[i] > '9') && s[i] != '_')
			return 0;
	}
	return 1;
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}
