/*
 * test_proto.c: typed lines and commands, words, nick and room names, and
 * the frame-mode hello.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "proto.h"

#define NONAME	((const char *)0)

struct icase {
	const char	*line;
	enum input_kind	 kind;
	const char	*name;	/* NONAME for a message or empty line */
	const char	*text;
	size_t		 textoff;	/* where text starts in line */
};

static const struct icase icases[] = {
	{ "", INPUT_EMPTY, NONAME, "", 0 },
	{ "   ", INPUT_EMPTY, NONAME, "", 0 },
	{ " \t ", INPUT_EMPTY, NONAME, "", 0 },
	{ "hello", INPUT_MESSAGE, NONAME, "hello", 0 },
	{ " hi there ", INPUT_MESSAGE, NONAME, " hi there ", 0 },
	{ "a/b", INPUT_MESSAGE, NONAME, "a/b", 0 },
	{ "//x", INPUT_MESSAGE, NONAME, "/x", 1 },
	{ "//", INPUT_MESSAGE, NONAME, "/", 1 },
	{ "///nick a", INPUT_MESSAGE, NONAME, "//nick a", 1 },
	{ "/", INPUT_COMMAND, "", "", 1 },
	{ "/ x", INPUT_COMMAND, "", "x", 2 },
	{ "/nick a", INPUT_COMMAND, "nick", "a", 6 },
	{ "/nick    a b ", INPUT_COMMAND, "nick", "a b ", 9 },
	{ "/me\twaves", INPUT_COMMAND, "me", "waves", 4 },
	{ "/QUIT", INPUT_COMMAND, "QUIT", "", 5 },
	{ "/who   ", INPUT_COMMAND, "who", "", 7 },
	{ "/msg bob hi  there", INPUT_COMMAND, "msg", "bob hi  there", 5 },
	{ " /nick a", INPUT_MESSAGE, NONAME, " /nick a", 0 },
};

static void
test_parse_input(void **state)
{
	const struct icase	*c;
	struct input		 in;
	size_t			 i, len;

	(void)state;
	for (i = 0; i < sizeof(icases) / sizeof(icases[0]); i++) {
		c = &icases[i];
		len = strlen(c->line);
		memset(&in, 0xa5, sizeof(in));
		proto_parse_input(c->line, len, &in);
		if (in.kind != c->kind)
			fail_msg("\"%s\": kind %d", c->line, in.kind);
		if (c->name == NONAME) {
			assert_int_equal(in.namelen, 0);
		} else {
			assert_int_equal(in.namelen, strlen(c->name));
			assert_ptr_equal(in.name, c->line + 1);
		}
		assert_int_equal(in.textlen, strlen(c->text));
		assert_memory_equal(in.text, c->text, in.textlen);
		if (c->kind != INPUT_EMPTY)
			assert_ptr_equal(in.text, c->line + c->textoff);
	}
}

static void
test_is_command(void **state)
{
	struct input	in;

	(void)state;
	proto_parse_input("/NiCk bob", 9, &in);
	assert_true(proto_is_command(&in, "nick"));
	assert_false(proto_is_command(&in, "nic"));
	assert_false(proto_is_command(&in, "nicks"));
	proto_parse_input("/n", 2, &in);
	assert_false(proto_is_command(&in, "nick"));
	proto_parse_input("nick", 4, &in);
	assert_false(proto_is_command(&in, "nick"));
	proto_parse_input("//nick", 6, &in);
	assert_false(proto_is_command(&in, "nick"));
	proto_parse_input("/", 1, &in);
	assert_true(proto_is_command(&in, ""));
	assert_false(proto_is_command(&in, "quit"));
}

struct wcase {
	const char	*s;
	const char	*word;
	size_t		 wordoff;
	const char	*rest;
};

static const struct wcase wcases[] = {
	{ "bob hi there", "bob", 0, "hi there" },
	{ "  bob  hi there", "bob", 2, "hi there" },
	{ "one", "one", 0, "" },
	{ "one   ", "one", 0, "" },
	{ "a\tb", "a", 0, "b" },
	{ "", "", 0, "" },
	{ "   ", "", 3, "" },
};

static void
test_word(void **state)
{
	const struct wcase	*c;
	const char		*word, *rest;
	size_t			 wordlen, len, i;

	(void)state;
	for (i = 0; i < sizeof(wcases) / sizeof(wcases[0]); i++) {
		c = &wcases[i];
		len = strlen(c->s);
		rest = proto_word(c->s, len, &word, &wordlen);
		assert_int_equal(wordlen, strlen(c->word));
		assert_memory_equal(word, c->word, wordlen);
		if (wordlen > 0)
			assert_ptr_equal(word, c->s + c->wordoff);
		assert_ptr_equal(rest, c->s + len - strlen(c->rest));
		assert_string_equal(rest, c->rest);
	}
	/* The length bounds the scan: the NUL is never needed. */
	rest = proto_word("ab cd", 2, &word, &wordlen);
	assert_int_equal(wordlen, 2);
	assert_ptr_equal(rest, word + 2);
}

struct ncase {
	const char	*s;
	size_t		 len;
	int		 nick;
	int		 room;
};

#define N(s, nick, room) { s, sizeof(s) - 1, nick, room }

static const struct ncase ncases[] = {
	N("a", 1, 1),
	N("A", 1, 1),
	N("bob", 1, 1),
	N("Z9", 1, 1),
	N("a_b-c9", 1, 1),
	N("a---", 1, 1),
	N("abcdefghijklmnop", 1, 1),			/* 16 */
	N("abcdefghijklmnopq", 0, 1),			/* 17 */
	N("abcdefghijklmnopqrstuvwxyzabcdef", 0, 1),	/* 32 */
	N("abcdefghijklmnopqrstuvwxyzabcdefg", 0, 0),	/* 33 */
	N("", 0, 0),
	N("1abc", 0, 0),
	N("9", 0, 0),
	N("_abc", 0, 0),
	N("-abc", 0, 0),
	N("a b", 0, 0),
	N("a.b", 0, 0),
	N("a@b", 0, 0),
	N("a/b", 0, 0),
	N("ab\xc3\xa9", 0, 0),
	N("\xc3\xa9t\xc3\xa9", 0, 0),
	N("a\0b", 0, 0),
	N("a\n", 0, 0),
	N("[a]", 0, 0),
	N("a`", 0, 0),
};

static void
test_names(void **state)
{
	const struct ncase	*c;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(ncases) / sizeof(ncases[0]); i++) {
		c = &ncases[i];
		if (proto_valid_nick(c->s, c->len) != c->nick)
			fail_msg("nick \"%s\"", c->s);
		if (proto_valid_room(c->s, c->len) != c->room)
			fail_msg("room \"%s\"", c->s);
	}
	/* The length counts, not the NUL. */
	assert_true(proto_valid_nick("bob!", 3));
	assert_false(proto_valid_nick("bob", 0));
}

static void
test_name_eq(void **state)
{
	(void)state;
	assert_true(proto_name_eq("Bob", 3, "bOB", 3));
	assert_true(proto_name_eq("a-Z_9", 5, "A-z_9", 5));
	assert_true(proto_name_eq("", 0, "", 0));
	assert_false(proto_name_eq("bob", 3, "bobb", 4));
	assert_false(proto_name_eq("bob", 3, "bop", 3));
	/* ASCII case only: '@' is not '`', '[' is not '{'. */
	assert_false(proto_name_eq("@", 1, "`", 1));
	assert_false(proto_name_eq("[", 1, "{", 1));
	assert_false(proto_name_eq("_", 1, "\x7f", 1));
}

struct hcase {
	const char	*line;
	int		 is;	/* proto_is_hello() */
	int		 ret;	/* proto_parse_hello() */
	unsigned	 version;
	const char	*nick;
	const char	*room;
	uint64_t	 epoch;
	uint64_t	 last;
	const char	*session;
};

static const struct hcase hcases[] = {
	{ "CHAT/1", 1, 0, 1, "", "", 0, 0, "" },
	{ "CHAT/1 nick=bob room=dev epoch=123 last=45", 1, 0, 1, "bob",
	    "dev", 123, 45, "" },
	{ "CHAT/1 last=7 nick=Al", 1, 0, 1, "Al", "", 0, 7, "" },
	{ "CHAT/2", 1, 0, 2, "", "", 0, 0, "" },
	{ "CHAT/10 nick=x", 1, 0, 10, "x", "", 0, 0, "" },
	{ "CHAT/1  nick=bob   room=a  ", 1, 0, 1, "bob", "a", 0, 0, "" },
	{ "CHAT/1 foo=bar nick=bob flag", 1, 0, 1, "bob", "", 0, 0, "" },
	{ "CHAT/1 epoch=18446744073709551615", 1, 0, 1, "", "",
	    UINT64_MAX, 0, "" },
	{ "CHAT/1 nick=abcdefghijklmnop", 1, 0, 1, "abcdefghijklmnop", "",
	    0, 0, "" },
	{ "CHAT/1 nick=abcdefghijklmnopq", 1, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/1 nick=1bad", 1, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/1 nick=", 1, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/1 room=", 1, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/1 room=a.b", 1, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/1 epoch=x", 1, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/1 epoch=", 1, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/1 last=-1", 1, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/1 epoch=18446744073709551616", 1, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/1x", 1, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/99999999999999999999", 1, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/", 0, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/x", 0, -1, 0, "", "", 0, 0, "" },
	{ "CHAT", 0, -1, 0, "", "", 0, 0, "" },
	{ "chat/1", 0, -1, 0, "", "", 0, 0, "" },
	{ " CHAT/1", 0, -1, 0, "", "", 0, 0, "" },
	{ "hello", 0, -1, 0, "", "", 0, 0, "" },
	{ "", 0, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/2 nick=a session=3f9a1c2b7d6e5f40", 1, 0, 2, "a", "", 0, 0,
	    "3f9a1c2b7d6e5f40" },
	{ "CHAT/2 session=", 1, -1, 0, "", "", 0, 0, "" },
	{ "CHAT/2 session=a\x01b", 1, -1, 0, "", "", 0, 0, "" },
};

static void
test_hello_parse(void **state)
{
	const struct hcase	*c;
	struct hello		 h;
	size_t			 i, len;

	(void)state;
	for (i = 0; i < sizeof(hcases) / sizeof(hcases[0]); i++) {
		c = &hcases[i];
		len = strlen(c->line);
		if (proto_is_hello(c->line, len) != c->is)
			fail_msg("is_hello \"%s\"", c->line);
		if (proto_parse_hello(c->line, len, &h) != c->ret)
			fail_msg("parse_hello \"%s\"", c->line);
		if (c->ret == -1)
			continue;
		assert_int_equal(h.version, c->version);
		assert_string_equal(h.nick, c->nick);
		assert_string_equal(h.room, c->room);
		assert_true(h.epoch == c->epoch);
		assert_true(h.last == c->last);
		assert_string_equal(h.session, c->session);
	}
}

static void
test_split_token(void **state)
{
	static const struct {
		const char	*line;
		int		 rc;
		const char	*tok;
		const char	*rest;
	} cases[] = {
		{ "hello", 0, NULL, NULL },
		{ "", 0, NULL, NULL },
		{ "@a1.2 hello", 1, "a1.2", "hello" },
		{ "@x /me waves", 1, "x", "/me waves" },
		{ "@x  two spaces", 1, "x", " two spaces" },
		{ "@x", 1, "x", "" },
		{ "@!~ z", 1, "!~", "z" },
		{ "@ hello", -1, NULL, NULL },
		{ "@", -1, NULL, NULL },
		{ "@a\tb c", -1, NULL, NULL },
		{ "@a\x7f c", -1, NULL, NULL },
		{ "@\xc3\xa9 c", -1, NULL, NULL },
	};
	char		 longest[PROTO_TOKENMAX + 8];
	const char	*tok, *rest;
	size_t		 toklen, restlen, i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(proto_split_token(cases[i].line,
		    strlen(cases[i].line), &tok, &toklen, &rest, &restlen),
		    cases[i].rc);
		if (cases[i].rc != 1)
			continue;
		assert_int_equal(toklen, strlen(cases[i].tok));
		assert_memory_equal(tok, cases[i].tok, toklen);
		assert_int_equal(restlen, strlen(cases[i].rest));
		assert_memory_equal(rest, cases[i].rest, restlen);
	}
	/* 64 bytes is the longest token. */
	longest[0] = '@';
	memset(longest + 1, 'k', PROTO_TOKENMAX);
	strcpy(longest + 1 + PROTO_TOKENMAX, " m");
	assert_int_equal(proto_split_token(longest, strlen(longest), &tok,
	    &toklen, &rest, &restlen), 1);
	assert_int_equal(toklen, PROTO_TOKENMAX);
	longest[1 + PROTO_TOKENMAX] = 'k';
	strcpy(longest + 2 + PROTO_TOKENMAX, " m");
	assert_int_equal(proto_split_token(longest, strlen(longest), &tok,
	    &toklen, &rest, &restlen), -1);
}

static void
test_hello_format(void **state)
{
	struct hello	h, back;
	char		buf[128];
	int		n;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.version = PROTO_VERSION;
	n = proto_format_hello(&h, buf, sizeof(buf));
	assert_int_equal(n, 6);
	assert_string_equal(buf, "CHAT/2");
	strcpy(h.nick, "bob");
	n = proto_format_hello(&h, buf, sizeof(buf));
	assert_string_equal(buf, "CHAT/2 nick=bob");
	strcpy(h.room, "dev");
	h.epoch = 1700000000123ULL;
	h.last = 42;
	n = proto_format_hello(&h, buf, sizeof(buf));
	assert_string_equal(buf,
	    "CHAT/2 nick=bob room=dev epoch=1700000000123 last=42");
	assert_int_equal(n, (int)strlen(buf));
	strcpy(h.session, "k3y");
	n = proto_format_hello(&h, buf, sizeof(buf));
	assert_string_equal(buf, "CHAT/2 nick=bob room=dev "
	    "epoch=1700000000123 last=42 session=k3y");
	assert_int_equal(proto_parse_hello(buf, (size_t)n, &back), 0);
	assert_string_equal(back.session, "k3y");
	assert_int_equal(proto_parse_hello(buf, n, &back), 0);
	assert_memory_equal(&back, &h, sizeof(h));
	/* Too small a buffer, by one byte or by many, fails. */
	assert_int_equal(proto_format_hello(&h, buf, n), -1);
	assert_int_equal(proto_format_hello(&h, buf, 10), -1);
	assert_int_equal(proto_format_hello(&h, buf, n + 1), n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_input),
		cmocka_unit_test(test_is_command),
		cmocka_unit_test(test_word),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_name_eq),
		cmocka_unit_test(test_hello_parse),
		cmocka_unit_test(test_hello_format),
		cmocka_unit_test(test_split_token),
	};

	alarm(60);
	return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
