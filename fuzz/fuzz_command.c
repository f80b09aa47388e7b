/*
 * fuzz_command.c: what a person types.  The input is typed into the line
 * editor (control bytes pick editing keys, the rest is text), and each
 * line taken, as well as the raw input itself, goes through the command
 * parser; nick and room rules are checked against their definition, the
 * hello survives format and parse, and a line's token splits off as
 * protocol 2 says.
 *
 * Bytes 0x01 to 0x0f of the input are keys for the editor: left, right,
 * home, end, backspace, delete, ^U, ^K, ^W, up, down, Enter, clear, and
 * two view widths; everything else is typed.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "edit.h"
#include "proto.h"
#include "wrap.h"

static void	check_input(const char *, size_t);
static void	check_words(const char *, size_t);
static void	check_names(const char *, size_t);
static void	check_hello(const char *, size_t);
static void	check_token(const char *, size_t);
static void	type(struct edit *, const char *, size_t);
static void	key(struct edit *, int);
static void	clear_line(struct edit *);
static void	check_edit(struct edit *);
static int	blank(char);
static int	name_ok(const char *, size_t, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct edit	*ed;
	char		*s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	check_input(s, size);
	check_words(s, size);
	check_names(s, size);
	check_hello(s, size);
	check_token(s, size);
	if ((ed = edit_new(8)) == NULL)
		abort();
	type(ed, s, size);
	edit_free(ed);
	free(s);
	return 0;
}

/* "@TOKEN rest": the token is what its definition allows, nothing lost. */
static void
check_token(const char *s, size_t len)
{
	const char	*tok, *rest, *sp;
	size_t		 toklen, restlen, i;
	int		 rc;

	rc = proto_split_token(s, len, &tok, &toklen, &rest, &restlen);
	if (len == 0 || s[0] != '@') {
		FUZZ_CHECK(rc == 0);
		return;
	}
	sp = memchr(s, ' ', len);
	toklen = sp != NULL ? (size_t)(sp - s - 1) : len - 1;
	for (i = 0; i < toklen && s[1 + i] >= '!' && s[1 + i] <= '~'; i++)
		;
	if (toklen == 0 || toklen > PROTO_TOKENMAX || i < toklen) {
		FUZZ_CHECK(rc == -1);
		FUZZ_CHECK(!proto_valid_token(s + 1, toklen));
		return;
	}
	FUZZ_CHECK(rc == 1 && tok == s + 1 && proto_valid_token(tok, toklen));
	FUZZ_CHECK(rest + restlen == s + len);
	FUZZ_CHECK(rest == (sp != NULL ? sp + 1 : s + len));
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The parse accounts for every byte as the header describes. */
static void
check_input(const char *s, size_t len)
{
	struct input	in;
	size_t		i, end;

	proto_parse_input(s, len, &in);
	for (i = 0; i < len && blank(s[i]); i++)
		;
	if (i == len) {
		FUZZ_CHECK(in.kind == INPUT_EMPTY && in.textlen == 0);
		return;
	}
	if (s[0] != '/') {
		FUZZ_CHECK(in.kind == INPUT_MESSAGE);
		FUZZ_CHECK(in.text == s && in.textlen == len);
		return;
	}
	if (len > 1 && s[1] == '/') {
		FUZZ_CHECK(in.kind == INPUT_MESSAGE);
		FUZZ_CHECK(in.text == s + 1 && in.textlen == len - 1);
		return;
	}
	FUZZ_CHECK(in.kind == INPUT_COMMAND);
	FUZZ_CHECK(in.name == s + 1 && in.namelen <= len - 1);
	for (i = 0; i < in.namelen; i++)
		FUZZ_CHECK(!blank(in.name[i]));
	end = 1 + in.namelen;
	FUZZ_CHECK(end == len || blank(s[end]));
	FUZZ_CHECK(in.text >= s + end && in.text + in.textlen == s + len);
	for (i = end; s + i < in.text; i++)
		FUZZ_CHECK(blank(s[i]));
	FUZZ_CHECK(in.textlen == 0 || !blank(in.text[0]));
	FUZZ_CHECK(proto_is_command(&in, "msg") ==
	    proto_name_eq(in.name, in.namelen, "msg", 3));
}

/* Splitting into words loses nothing but blanks. */
static void
check_words(const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *w, *next, *q;
	size_t		 wlen, nonblank = 0, seen = 0;

	for (q = s; q < end; q++)
		nonblank += !blank(*q);
	while (p < end) {
		next = proto_word(p, end - p, &w, &wlen);
		FUZZ_CHECK(w >= p && w + wlen <= end && next >= w + wlen);
		FUZZ_CHECK(next <= end && next > p);
		for (q = p; q < w; q++)
			FUZZ_CHECK(blank(*q));
		for (q = w; q < w + wlen; q++)
			FUZZ_CHECK(!blank(*q));
		for (q = w + wlen; q < next; q++)
			FUZZ_CHECK(blank(*q));
		FUZZ_CHECK(next == end || !blank(*next));
		seen += wlen;
		p = next;
	}
	FUZZ_CHECK(seen == nonblank);
}

/* A letter, then letters, digits, '_' or '-'; 1 to max of them. */
static int
name_ok(const char *s, size_t len, size_t max)
{
	size_t	i;
	char	c;

	if (len < 1 || len > max)
		return 0;
	for (i = 0; i < len; i++) {
		c = s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if (i == 0 || !((c >= '0' && c <= '9') || c == '_' ||
		    c == '-'))
			return 0;
	}
	return 1;
}

/* Every prefix as a nick and a room; case-blind comparison of halves. */
static void
check_names(const char *s, size_t len)
{
	size_t	i, n, h;

	n = len < 40 ? len : 40;
	for (i = 0; i <= n; i++) {
		FUZZ_CHECK(proto_valid_nick(s, i) ==
		    name_ok(s, i, PROTO_NICKMAX));
		FUZZ_CHECK(proto_valid_room(s, i) ==
		    name_ok(s, i, PROTO_ROOMMAX));
	}
	h = len / 2;
	FUZZ_CHECK(proto_name_eq(s, h, s, h));
	if (proto_name_eq(s, h, s + h, len - h)) {
		FUZZ_CHECK(len - h == h);
		for (i = 0; i < h; i++)
			FUZZ_CHECK(s[i] == s[h + i] ||
			    ((s[i] | 0x20) == (s[h + i] | 0x20) &&
			    (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'));
	}
}

/* A hello that parses formats to one that parses the same. */
static void
check_hello(const char *s, size_t len)
{
	struct hello	h, back;
	char		buf[256];
	int		n, cap;

	if (proto_parse_hello(s, len, &h) == -1)
		return;
	FUZZ_CHECK(proto_is_hello(s, len));
	FUZZ_CHECK(h.version <= 0xffff);
	FUZZ_CHECK(h.nick[0] == '\0' ||
	    name_ok(h.nick, strlen(h.nick), PROTO_NICKMAX));
	FUZZ_CHECK(h.room[0] == '\0' ||
	    name_ok(h.room, strlen(h.room), PROTO_ROOMMAX));
	n = proto_format_hello(&h, buf, sizeof(buf));
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(buf) && buf[n] == '\0');
	FUZZ_CHECK(proto_parse_hello(buf, n, &back) == 0);
	FUZZ_CHECK(back.version == h.version && back.epoch == h.epoch &&
	    back.last == h.last && strcmp(back.nick, h.nick) == 0 &&
	    strcmp(back.room, h.room) == 0);
	/* Too small a buffer fails; a big enough one gives the same. */
	cap = len > 0 ? (unsigned char)s[len - 1] % (n + 2) : 0;
	FUZZ_CHECK(proto_format_hello(&h, buf, cap) == (cap > n ? n : -1));
}

static void
type(struct edit *e, const char *s, size_t len)
{
	size_t	i = 0, run;

	while (i < len) {
		if (s[i] >= 0x01 && s[i] <= 0x0f) {
			key(e, s[i++]);
			check_edit(e);
			continue;
		}
		for (run = i; run < len && !(s[run] >= 0x01 && s[run] <= 0x0f);
		    run++)
			;
		(void)edit_insert(e, s + i, run - i);
		check_edit(e);
		i = run;
	}
}

static void
key(struct edit *e, int k)
{
	static void	(*const keys[])(struct edit *) = {
		NULL, edit_left, edit_right, edit_home, edit_end,
		edit_backspace, edit_delete, edit_kill_start, edit_kill_end,
		edit_kill_word, edit_history_prev, edit_history_next, NULL,
		clear_line
	};
	char		buf[EDIT_MAX + 1];
	size_t		n, start;
	int		col, width;

	if (k < (int)(sizeof(keys) / sizeof(keys[0])) && keys[k] != NULL) {
		keys[k](e);
		return;
	}
	if (k == 0x0c) {		/* Enter */
		n = edit_take(e, buf, sizeof(buf));
		FUZZ_CHECK(n < sizeof(buf) && buf[n] == '\0');
		FUZZ_CHECK(fuzz_clean(buf, n));
		check_input(buf, n);
		return;
	}
	/* The field scrolls so that the cursor's cell stays in it. */
	width = k == 0x0e ? 1 : 7;
	edit_view(e, width, &start, &col);
	FUZZ_CHECK(start <= edit_cursor(e) && col >= 0);
	FUZZ_CHECK(col < width || start == edit_cursor(e));
}

/* The whole line deleted, as End and Ctrl-U do it. */
static void
clear_line(struct edit *e)
{
	edit_end(e);
	edit_kill_start(e);
}

/*
 * The line is clean UTF-8 within EDIT_MAX, and the cursor sits before a
 * whole character: never inside one, never before a combining mark.
 */
static void
check_edit(struct edit *e)
{
	const char	*t;
	size_t		 len, cur;
	int		 cols;

	t = edit_text(e, &len);
	cur = edit_cursor(e);
	FUZZ_CHECK(len <= EDIT_MAX && t[len] == '\0');
	FUZZ_CHECK(fuzz_clean(t, len));
	FUZZ_CHECK(cur <= len);
	if (cur > 0 && cur < len) {
		FUZZ_CHECK(((unsigned char)t[cur] & 0xc0) != 0x80);
		wrap_cols(t + cur, len - cur, &cols);
		FUZZ_CHECK(cols != 0);
	}
}
