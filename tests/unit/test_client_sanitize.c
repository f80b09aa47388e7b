/*
 * test_client_sanitize.c: every class of character a terminal acts on is
 * neutralised, the output is always valid UTF-8, and sanitising twice
 * changes nothing.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sanitize.h"
#include "wrap.h"

#define FFFD	"\xef\xbf\xbd"

static const struct {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*want;
} cases[] = {
	{ "plain text", 0, "plain text" },
	{ "", 0, "" },
	{ "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80 e\xcc\x81", 0,
	    "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80 e\xcc\x81" },
	/* C0 controls and DEL become their pictures. */
	{ "\0", 1, "\xe2\x90\x80" },
	{ "a\x01z", 0, "a\xe2\x90\x81z" },
	{ "\a", 0, "\xe2\x90\x87" },
	{ "\b", 0, "\xe2\x90\x88" },
	{ "\t", 0, "\xe2\x90\x89" },
	{ "\n", 0, "\xe2\x90\x8a" },
	{ "\r", 0, "\xe2\x90\x8d" },
	{ "\x1b", 0, "\xe2\x90\x9b" },
	{ "\x1f", 0, "\xe2\x90\x9f" },
	{ "\x7f", 0, "\xe2\x90\xa1" },
	/* Escape sequences lose their ESC and so their effect. */
	{ "\x1b[2J\x1b[H", 0, "\xe2\x90\x9b[2J\xe2\x90\x9b[H" },
	{ "\x1b]0;pwned\a", 0, "\xe2\x90\x9b]0;pwned\xe2\x90\x87" },
	{ "\x1b]2;title\x1b\\", 0,
	    "\xe2\x90\x9b]2;title\xe2\x90\x9b\\" },
	{ "\x1bP+q\x1b\\", 0, "\xe2\x90\x9bP+q\xe2\x90\x9b\\" },
	/* C1 controls, encoded or as raw 8-bit bytes. */
	{ "\xc2\x80", 0, FFFD },
	{ "\xc2\x85", 0, FFFD },
	{ "\xc2\x9b" "31m", 0, FFFD "31m" },
	{ "\xc2\x9d" "0;x\xc2\x9c", 0, FFFD "0;x" FFFD },
	{ "\x9b" "31m", 0, FFFD "31m" },
	{ "\x9d", 0, FFFD },
	/* Bidirectional controls. */
	{ "abc\xe2\x80\xae" "cba", 0, "abc" FFFD "cba" },
	{ "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", 0,
	    FFFD FFFD FFFD FFFD },
	{ "\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", 0,
	    FFFD FFFD FFFD FFFD },
	{ "\xe2\x80\x8e\xe2\x80\x8f", 0, FFFD FFFD },
	{ "\xd8\x9c", 0, FFFD },
	/* Invalid UTF-8: each bad byte becomes U+FFFD. */
	{ "\xff", 0, FFFD },
	{ "a\xc3", 0, "a" FFFD },
	{ "\xc0\xaf", 0, FFFD FFFD },
	{ "\xe0\x80\xaf", 0, FFFD FFFD FFFD },
	{ "\xed\xa0\x80", 0, FFFD FFFD FFFD },
	{ "\xf4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD },
	{ "\xe4\xb8" "a", 0, FFFD FFFD "a" },
	{ "\x80\xbf", 0, FFFD FFFD },
	/* Characters with no width to print: line separator, U+10FFFF. */
	{ "\xe2\x80\xa8\xe2\x80\xa9", 0, FFFD FFFD },
	{ "\xe2\x81\xa5", 0, FFFD },		/* unassigned */
	{ "\xf4\x8f\xbf\xbf", 0, FFFD },
	/* Zero-width characters that could hide a spelling are dropped. */
	{ "al\xe2\x80\x8bice", 0, "alice" },
	{ "al\xe2\x81\xa0ice", 0, "alice" },
	{ "\xef\xbb\xbfhi", 0, "hi" },
	/* Printable neighbours of the ranges stay. */
	{ "\xc2\xa0\xe2\x80\xaf\xe2\x81\xaa\xe2\x80\x8d\xd8\x9b", 0,
	    "\xc2\xa0\xe2\x80\xaf\xe2\x81\xaa\xe2\x80\x8d\xd8\x9b" },
	{ FFFD, 0, FFFD },
};

static void
test_table(void **state)
{
	char	 out[256];
	size_t	 i, len, n;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		n = sanitize(cases[i].in, len, out);
		assert_true(n <= SANITIZE_MAX(len));
		if (n != strlen(cases[i].want) ||
		    memcmp(out, cases[i].want, n) != 0)
			fail_msg("case %zu: got %zu bytes \"%.*s\"", i, n,
			    (int)n, out);
	}
}

/* Valid UTF-8, and nothing a terminal would act on. */
static void
assert_safe(const char *s, size_t len)
{
	uint32_t	 cp;
	size_t		 i = 0, n;
	int		 w;

	while (i < len) {
		n = wrap_char(s + i, len - i, &cp, &w);
		assert_false(n == 1 && cp == 0xfffd);	/* invalid byte */
		assert_true(w >= 0);
		assert_true(cp >= 0x20 && cp != 0x7f);
		assert_false(cp >= 0x80 && cp < 0xa0);
		assert_false(cp >= 0x202a && cp <= 0x202e);
		assert_false(cp >= 0x2066 && cp <= 0x2069);
		assert_false(cp == 0x200e || cp == 0x200f || cp == 0x061c);
		i += n;
	}
}

static void
test_random(void **state)
{
	static const char pieces[][5] = {
		"a", " ", "\x1b", "\x9b", "\xc2\x9b", "\xe2\x80\xae",
		"\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xcc\x81", "\xc3",
		"\xed\xa0", "\x7f", "\n", "\xef\xbf\xbd", "\xe2\x90\x9b",
	};
	char		 in[512], out[SANITIZE_MAX(512)], again[SANITIZE_MAX(
			     SANITIZE_MAX(512))];
	size_t		 len, n, m, k;
	int		 iter;

	(void)state;
	srand(12345);
	for (iter = 0; iter < 20000; iter++) {
		len = (size_t)rand() % sizeof in;
		if (iter % 2 == 0) {
			/* Random bytes. */
			for (k = 0; k < len; k++)
				in[k] = (char)(rand() & 0xff);
		} else {
			/* Pieces likely to sit on the edge of a rule. */
			for (k = 0; k + 4 < sizeof in && k < len;) {
				const char *p = pieces[rand() % (int)(sizeof
				    pieces / sizeof pieces[0])];
				memcpy(in + k, p, strlen(p));
				k += strlen(p);
			}
			len = k;
		}
		n = sanitize(in, len, out);
		assert_true(n <= SANITIZE_MAX(len));
		assert_safe(out, n);
		m = sanitize(out, n, again);
		assert_int_equal(m, n);
		assert_memory_equal(out, again, n);
	}
}

/*
 * Long printable runs are copied eight bytes at a time: a byte to
 * neutralise is caught wherever it sits in such a run.
 */
static void
test_runs(void **state)
{
	static const unsigned char special[] = {
		0x00, 0x01, 0x1b, 0x1f, 0x7f, 0x80, 0x9b, 0xc2, 0xff
	};
	char		 in[40], out[SANITIZE_MAX(40)], want[SANITIZE_MAX(40)];
	char		 one[8];
	size_t		 pos, k, n, m;

	(void)state;
	for (k = 0; k < sizeof special; k++) {
		for (pos = 0; pos < sizeof in; pos++) {
			memset(in, 'x', sizeof in);
			in[0] = ' ';
			in[sizeof in - 1] = '~';
			in[pos] = (char)special[k];
			m = sanitize((const char *)&special[k], 1, one);
			memcpy(want, in, pos);
			memcpy(want + pos, one, m);
			memcpy(want + pos + m, in + pos + 1,
			    sizeof in - pos - 1);
			n = sanitize(in, sizeof in, out);
			assert_int_equal(n, sizeof in - 1 + m);
			assert_memory_equal(out, want, n);
		}
	}
}

static void
test_worst_case(void **state)
{
	char	 in[64], out[SANITIZE_MAX(64)];
	size_t	 i;

	(void)state;
	/* Every byte invalid or a control: three bytes out for each. */
	for (i = 0; i < sizeof in; i++)
		in[i] = (char)(i % 2 ? 0xff : 0x1b);
	assert_int_equal(sanitize(in, sizeof in, out), SANITIZE_MAX(64));
	assert_safe(out, SANITIZE_MAX(64));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_worst_case),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "test_client_sanitize: no C.UTF-8 locale\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
