/*
 * test_client_save.c: /save writes every line the scrollback holds,
 * oldest first, as the window shows it, and reports a failed write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "save.h"
#include "scrollback.h"

/* What save_write() put in a memory stream. */
static char *
saved(const struct sb *sb, long *n)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	assert_non_null(fp = open_memstream(&buf, &len));
	*n = save_write(sb, fp);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* "HH:MM " of a time stamp in ms, in local time. */
static void
hm(int64_t ts, char *out)
{
	time_t		t = ts / 1000;
	struct tm	tm;

	assert_non_null(localtime_r(&t, &tm));
	assert_int_equal(strftime(out, 7, "%H:%M ", &tm), 6);
}

static void
test_kinds(void **state)
{
	struct sb	*sb;
	char		*out, want[512], t[8];
	long		 n;
	int64_t		 ts = 1700000000000LL;

	(void)state;
	assert_non_null(sb = sb_new(10));
	assert_int_equal(sb_add(sb, SB_MSG, 0, ts, "bob", 3, "hi", 2), 0);
	assert_int_equal(sb_add(sb, SB_ACT, 0, ts, "bob", 3, "waves", 5),
	    0);
	assert_int_equal(sb_add(sb, SB_PRIV, 0, ts, "eve", 3, "psst", 4),
	    0);
	assert_int_equal(sb_add(sb, SB_PRIVTO, 0, ts, "eve", 3, "ok", 2),
	    0);
	assert_int_equal(sb_add(sb, SB_NOTICE, 0, ts, "", 0,
	    "*** welcome", 11), 0);
	assert_int_equal(sb_add(sb, SB_MSG, 0, ts, "bob", 3, "", 0), 0);
	out = saved(sb, &n);
	assert_int_equal(n, 6);
	hm(ts, t);
	snprintf(want, sizeof want, "%s<bob> hi\n%s* bob waves\n"
	    "%s*eve* psst\n%s-> *eve* ok\n%s*** welcome\n%s<bob> \n",
	    t, t, t, t, t, t);
	assert_string_equal(out, want);
	free(out);
	sb_free(sb);
}

/* Only what is held, oldest first, after the ring wrapped. */
static void
test_ring(void **state)
{
	struct sb	*sb;
	char		*out, text[16], *p;
	long		 n;
	int		 i;

	(void)state;
	assert_non_null(sb = sb_new(100));
	for (i = 0; i < 250; i++) {
		snprintf(text, sizeof text, "s%07d", i);
		assert_int_equal(sb_add(sb, SB_MSG, 0, 0, "f", 1, text,
		    strlen(text)), 0);
	}
	out = saved(sb, &n);
	assert_int_equal(n, 100);
	for (i = 150, p = out; i < 250; i++) {
		snprintf(text, sizeof text, "s%07d\n", i);
		assert_non_null(p = strstr(p, text));
	}
	assert_null(strstr(out, "s0000149"));
	free(out);
	sb_free(sb);
}

static void
test_errors(void **state)
{
	struct sb	*sb;
	FILE		*fp;

	(void)state;
	assert_non_null(sb = sb_new(4));
	assert_int_equal(sb_add(sb, SB_MSG, 0, 0, "a", 1, "b", 1), 0);
	assert_int_equal(save_file(sb, "/nonexistent/dir/file"), -1);
	/* A full device fails the write, not silently. */
	if ((fp = fopen("/dev/full", "w")) != NULL) {
		setvbuf(fp, NULL, _IONBF, 0);
		assert_int_equal(save_write(sb, fp), -1);
		fclose(fp);
	}
	sb_free(sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
