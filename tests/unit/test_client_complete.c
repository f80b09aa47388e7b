/*
 * test_client_complete.c: Tab completion of nicks and commands: single
 * matches, cycling, the suffix at the start of a line, no match.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "complete.h"
#include "edit.h"

static const char *const nicks[] = {
	"alice", "Bob", "albert", "carol", "ALFRED", "b\xc3\xa9la"
};
#define NNICKS	(sizeof nicks / sizeof nicks[0])

static const char *const cmds[] = {
	"nick", "me", "msg", "who", "join", "rooms", "quit", "help", "clear"
};
#define NCMDS	(sizeof cmds / sizeof cmds[0])

/* A line typed so far, with the cursor left before its last `back` bytes. */
static struct edit *
typed(const char *s, size_t back)
{
	struct edit	*e;

	assert_non_null(e = edit_new(0));
	assert_int_equal(edit_insert(e, s, strlen(s)), 0);
	while (back-- > 0)
		edit_left(e);
	return e;
}

static const struct {
	const char	*line;
	size_t		 back;
	int		 presses;	/* Tab pressed this many times */
	int		 want;		/* candidates reported */
	const char	*result;
	size_t		 cur;
} cases[] = {
	/* A single match; at the start of the line with ": ". */
	{ "car", 0, 1, 1, "carol: ", 7 },
	{ "CAR", 0, 1, 1, "carol: ", 7 },
	{ "hi car", 0, 1, 1, "hi carol ", 9 },
	{ "hi bo", 0, 1, 1, "hi Bob ", 7 },
	{ "hi b\xc3\xa9", 0, 1, 1, "hi b\xc3\xa9la ", 9 },
	/* Cycling in the order given, wrapping around. */
	{ "al", 0, 1, 3, "alice: ", 7 },
	{ "al", 0, 2, 3, "albert: ", 8 },
	{ "al", 0, 3, 3, "ALFRED: ", 8 },
	{ "al", 0, 4, 3, "alice: ", 7 },
	{ "to AL", 0, 2, 3, "to albert ", 10 },
	/* In the middle of a line, what follows the cursor stays. */
	{ "car is here", 8, 1, 1, "carol:  is here", 7 },
	{ "x al y", 2, 2, 3, "x albert  y", 9 },
	/* Commands after a slash at the start of the line. */
	{ "/jo", 0, 1, 1, "/join ", 6 },
	{ "/M", 0, 1, 2, "/me ", 4 },
	{ "/m", 0, 2, 2, "/msg ", 5 },
	{ "/m", 0, 3, 2, "/me ", 4 },
	{ "/", 0, 2, 9, "/me ", 4 },
	/* A nick after a command, and a command's argument. */
	{ "/msg al", 0, 1, 3, "/msg alice ", 11 },
	{ "/msg CAR hi", 3, 1, 1, "/msg carol  hi", 11 },
	/* A slash elsewhere is not a command; no match changes nothing. */
	{ "hi /jo", 0, 1, 0, "hi /jo", 6 },
	{ "zed", 0, 1, 0, "zed", 3 },
	{ "/xyz", 0, 1, 0, "/xyz", 4 },
	{ "", 0, 1, 0, "", 0 },
	{ "hi ", 0, 1, 0, "hi ", 3 },
	{ "alicex", 0, 1, 0, "alicex", 6 },
};

static void
test_table(void **state)
{
	struct edit	*e;
	size_t		 i;
	int		 p, n = 0;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		e = typed(cases[i].line, cases[i].back);
		for (p = 0; p < cases[i].presses; p++)
			n = complete_word(e, nicks, NNICKS, cmds, NCMDS, p > 0);
		if (n != cases[i].want ||
		    strcmp(edit_text(e, NULL), cases[i].result) != 0 ||
		    edit_cursor(e) != cases[i].cur)
			fail_msg("case %zu: %d \"%s\" at %zu, want %d \"%s\" at "
			    "%zu", i, n, edit_text(e, NULL), edit_cursor(e),
			    cases[i].want, cases[i].result, cases[i].cur);
		edit_free(e);
	}
}

static void
test_fresh_after_edit(void **state)
{
	struct edit	*e;

	(void)state;
	/* Typing after a completion starts afresh, even with again set. */
	e = typed("al", 0);
	assert_int_equal(complete_word(e, nicks, NNICKS, cmds, NCMDS, 0), 3);
	assert_string_equal(edit_text(e, NULL), "alice: ");
	edit_insert(e, "ca", 2);
	assert_int_equal(complete_word(e, nicks, NNICKS, cmds, NCMDS, 1), 1);
	assert_string_equal(edit_text(e, NULL), "alice: carol ");
	edit_free(e);

	/* A fresh press (again unset) does not cycle. */
	e = typed("hi al", 0);
	assert_int_equal(complete_word(e, nicks, NNICKS, cmds, NCMDS, 0), 3);
	assert_int_equal(complete_word(e, nicks, NNICKS, cmds, NCMDS, 0), 0);
	assert_string_equal(edit_text(e, NULL), "hi alice ");
	edit_free(e);

	/* No nicks, no commands. */
	e = typed("al", 0);
	assert_int_equal(complete_word(e, NULL, 0, NULL, 0, 0), 0);
	assert_string_equal(edit_text(e, NULL), "al");
	edit_free(e);
}

static void
test_list_changes(void **state)
{
	static const char *const before[] = { "ann", "anna", "andy" };
	static const char *const after[] = { "andy" };
	struct edit	*e;

	(void)state;
	e = typed("an", 0);
	assert_int_equal(complete_word(e, before, 3, cmds, NCMDS, 0), 3);
	assert_int_equal(complete_word(e, before, 3, cmds, NCMDS, 1), 3);
	assert_string_equal(edit_text(e, NULL), "anna: ");
	/* Nicks left between presses: cycling goes on over those still here. */
	assert_int_equal(complete_word(e, after, 1, cmds, NCMDS, 1), 1);
	assert_string_equal(edit_text(e, NULL), "andy: ");
	edit_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_fresh_after_edit),
		cmocka_unit_test(test_list_changes),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "test_client_complete: no C.UTF-8 locale\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
