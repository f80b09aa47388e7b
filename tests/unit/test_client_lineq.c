/*
 * test_client_lineq.c: the pending-line queue without a socket: lines
 * held in order, moved to the link with their stream ends, forgotten once
 * written, and held again in front after a lost link, for every split of
 * a stream between written and not; lines with a token kept until their
 * ack, whatever was written, and sent again in the order typed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lineq.h"

/* The held lines joined by spaces. */
static void
assert_held(const struct lineq *q, const char *want)
{
	char		 buf[4096] = "";
	const char	*l;
	size_t		 i, len;

	for (i = 0; (l = lineq_held(q, i, &len)) != NULL; i++) {
		assert_int_equal(strlen(l), len);
		if (i > 0)
			strcat(buf, " ");
		strcat(buf, l);
	}
	assert_int_equal(i, lineq_nheld(q));
	assert_string_equal(buf, want);
}

static void
test_hold(void **state)
{
	struct lineq	*q;
	size_t		 len = 99;

	(void)state;
	assert_non_null(q = lineq_new());
	assert_int_equal(lineq_nheld(q), 0);
	assert_null(lineq_held(q, 0, &len));
	assert_int_equal(lineq_hold(q, "one", 3), 0);
	assert_int_equal(lineq_hold(q, "two and more", 3), 0);
	assert_int_equal(lineq_hold(q, "", 0), 0);
	assert_held(q, "one two ");
	assert_string_equal(lineq_held(q, 1, NULL), "two");
	assert_null(lineq_held(q, 3, NULL));
	/* Moving with nothing held does nothing. */
	lineq_free(q);
	assert_non_null(q = lineq_new());
	lineq_move(q, 10);
	lineq_lost(q, 0);
	assert_int_equal(lineq_nheld(q), 0);
	lineq_free(q);
	lineq_free(NULL);
}

/*
 * Lines "a" to "e" are queued on the link with ends 2, 4, 6, 8, 10 (each
 * one byte and a LF) and "f" stays held; the link then writes some bytes
 * and is lost.
 */
static const struct {
	uint64_t	 written;	/* before the loss */
	const char	*held;		/* after it */
} losses[] = {
	{ 0,	"a b c d e f" },
	{ 1,	"a b c d e f" },	/* "a" half written: sent again */
	{ 2,	"b c d e f" },
	{ 5,	"c d e f" },
	{ 9,	"e f" },
	{ 10,	"f" },
	{ 99,	"f" },
};

static void
test_lost(void **state)
{
	struct lineq	*q;
	size_t		 i, j;
	char		 s[2] = "a";

	(void)state;
	for (i = 0; i < sizeof(losses) / sizeof(losses[0]); i++) {
		assert_non_null(q = lineq_new());
		for (j = 0; j < 6; j++) {
			s[0] = 'a' + j;
			assert_int_equal(lineq_hold(q, s, 1), 0);
		}
		for (j = 0; j < 5; j++)
			lineq_move(q, 2 * (j + 1));
		assert_held(q, "f");
		lineq_lost(q, losses[i].written);
		assert_held(q, losses[i].held);
		lineq_free(q);
	}
}

/* Written lines go as the link writes; the rest stay until then. */
static void
test_written(void **state)
{
	struct lineq	*q;

	(void)state;
	assert_non_null(q = lineq_new());
	assert_int_equal(lineq_hold(q, "one", 3), 0);
	assert_int_equal(lineq_hold(q, "two", 3), 0);
	lineq_move(q, 4);
	lineq_move(q, 8);
	assert_int_equal(lineq_nheld(q), 0);
	lineq_written(q, 4);
	assert_int_equal(lineq_hold(q, "three", 5), 0);
	lineq_lost(q, 4);
	assert_held(q, "two three");
	/* A new link: its stream starts again at 0. */
	lineq_move(q, 4);
	lineq_written(q, 3);
	lineq_lost(q, 3);
	assert_held(q, "two three");
	lineq_free(q);
}

/* Holds the line with the token "t" and the line itself, as "tone". */
static void
hold_tagged(struct lineq *q, const char *line)
{
	char	tok[16];

	snprintf(tok, sizeof(tok), "t%s", line);
	assert_int_equal(lineq_hold_tagged(q, tok, strlen(tok), line,
	    strlen(line)), 0);
}

/* Sends every held line, each ending 10 bytes after the one before. */
static uint64_t
send_all(struct lineq *q, uint64_t end)
{
	while (lineq_nheld(q) > 0)
		lineq_move(q, end += 10);
	return end;
}

/* What goes out next: the oldest held line, token and all. */
static void
assert_out(const struct lineq *q, const char *want)
{
	const char	*l;
	size_t		 len = 0;

	l = lineq_out(q, &len);
	if (want == NULL) {
		assert_null(l);
		return;
	}
	assert_non_null(l);
	assert_int_equal(len, strlen(want));
	assert_string_equal(l, want);
}

/*
 * A line with a token is shown as typed and sent with its token; being
 * written does not let it go, its ack does.
 */
static void
test_kept_until_ack(void **state)
{
	struct lineq	*q;

	(void)state;
	assert_non_null(q = lineq_new());
	hold_tagged(q, "one");
	assert_held(q, "one");
	assert_out(q, "@tone one");
	assert_int_equal(lineq_nunacked(q), 1);
	send_all(q, 0);
	assert_out(q, NULL);
	lineq_written(q, 1000);
	assert_int_equal(lineq_nkept(q), 1);
	assert_int_equal(lineq_nunacked(q), 1);
	assert_int_equal(lineq_acked(q, "tone", 4), 1);
	assert_int_equal(lineq_nkept(q), 0);
	assert_int_equal(lineq_nunacked(q), 0);
	/* Acked before the link says it was written: gone all the same. */
	hold_tagged(q, "two");
	send_all(q, 0);
	assert_int_equal(lineq_acked(q, "ttwo", 4), 1);
	assert_int_equal(lineq_nkept(q), 0);
	lineq_written(q, 10);
	lineq_lost(q, 10);
	assert_int_equal(lineq_nkept(q), 0);
	lineq_free(q);
}

/*
 * Messages a, b and c with a command between: all written, a acked, the
 * link lost.  b and c are held again in order, in front of d typed
 * after; the command, written, is not sent again; then b is acked on the
 * next link (taken or refused alike) and c stays for the one after.
 */
static void
test_resend_order(void **state)
{
	struct lineq	*q;
	uint64_t	 end;

	(void)state;
	assert_non_null(q = lineq_new());
	hold_tagged(q, "a");
	assert_int_equal(lineq_hold(q, "/who", 4), 0);
	hold_tagged(q, "b");
	hold_tagged(q, "c");
	end = send_all(q, 0);
	lineq_written(q, end);
	assert_int_equal(lineq_nkept(q), 4);
	assert_int_equal(lineq_acked(q, "ta", 2), 1);
	/* The written command behind a leaves with it. */
	assert_int_equal(lineq_nkept(q), 2);
	lineq_lost(q, end);
	hold_tagged(q, "d");
	assert_held(q, "b c d");
	assert_int_equal(lineq_nunacked(q), 3);
	assert_out(q, "@tb b");
	end = send_all(q, 0);
	assert_int_equal(lineq_acked(q, "tb", 2), 1);
	lineq_lost(q, 5);
	assert_held(q, "c d");
	assert_out(q, "@tc c");
	lineq_free(q);
}

/* A command not written before the loss goes again, in its place. */
static void
test_unwritten_command(void **state)
{
	struct lineq	*q;

	(void)state;
	assert_non_null(q = lineq_new());
	hold_tagged(q, "a");
	assert_int_equal(lineq_hold(q, "/who", 4), 0);
	hold_tagged(q, "b");
	send_all(q, 0);
	lineq_written(q, 15);		/* a, and half of /who */
	assert_int_equal(lineq_acked(q, "ta", 2), 1);
	lineq_lost(q, 15);
	assert_held(q, "/who b");
	assert_out(q, "/who");
	assert_int_equal(lineq_nunacked(q), 1);
	lineq_free(q);
}

/*
 * An ack for a token no sent line has (unknown, said twice, or of a line
 * still held) changes nothing; one out of order confirms its line alone.
 */
static void
test_ack_unknown(void **state)
{
	struct lineq	*q;

	(void)state;
	assert_non_null(q = lineq_new());
	hold_tagged(q, "a");
	hold_tagged(q, "b");
	hold_tagged(q, "c");
	lineq_move(q, 10);
	lineq_move(q, 20);
	assert_int_equal(lineq_acked(q, "tc", 2), 0);	/* held */
	assert_int_equal(lineq_acked(q, "nope", 4), 0);
	assert_int_equal(lineq_acked(q, "t", 1), 0);	/* a prefix */
	assert_int_equal(lineq_acked(q, "tab", 3), 0);
	assert_int_equal(lineq_acked(q, "", 0), 0);
	assert_int_equal(lineq_nkept(q), 3);
	assert_int_equal(lineq_acked(q, "tb", 2), 1);
	assert_int_equal(lineq_acked(q, "tb", 2), 0);
	assert_int_equal(lineq_nkept(q), 3);		/* behind a */
	assert_int_equal(lineq_nunacked(q), 2);
	lineq_lost(q, 20);
	assert_held(q, "a c");
	lineq_free(q);
}

/* Many lines through a queue that slides and grows keep their order. */
static void
test_order(void **state)
{
	struct lineq	*q;
	char		 buf[16];
	const char	*l;
	uint64_t	 end = 0;
	size_t		 i, next = 0, n = 0;

	(void)state;
	assert_non_null(q = lineq_new());
	for (i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "%zu", i);
		assert_int_equal(lineq_hold(q, buf, strlen(buf)), 0);
		n++;
		if (i % 3 == 0) {
			snprintf(buf, sizeof(buf), "%zu", next);
			l = lineq_held(q, 0, NULL);
			assert_string_equal(l, buf);
			lineq_move(q, ++end);
			lineq_written(q, end);
			next++;
			n--;
		}
		assert_int_equal(lineq_nheld(q), n);
	}
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%zu", next + i);
		assert_string_equal(lineq_held(q, i, NULL), buf);
	}
	lineq_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_written),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_kept_until_ack),
		cmocka_unit_test(test_resend_order),
		cmocka_unit_test(test_unwritten_command),
		cmocka_unit_test(test_ack_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
