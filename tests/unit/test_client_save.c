/*
 * test_client_save.c: /save writes every line the scrollback holds,
 * oldest first, as the window shows it, and reports a failed write.
 */
#include <sys/stat.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "save.h"
#include "scrollback.h"

/* What save_file() wrote, read back from a file of its own. */
static char *
saved(const struct sb *sb, long *n)
{
	char	 path[] = "/tmp/test_client_save.XXXXXX", *buf;
	FILE	*fp;
	long	 size;
	int	 fd;

	assert_true((fd = mkstemp(path)) != -1);
	close(fd);
	*n = save_file(sb, path);
	assert_non_null(fp = fopen(path, "r"));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	assert_true((size = ftell(fp)) >= 0);
	rewind(fp);
	assert_non_null(buf = malloc(size + 1));
	assert_int_equal(fread(buf, 1, size, fp), (size_t)size);
	buf[size] = '\0';
	fclose(fp);
	unlink(path);
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
	char		 path[] = "/tmp/test_client_save.XXXXXX";
	struct stat	 st;
	int		 fd;

	(void)state;
	assert_non_null(sb = sb_new(4));
	assert_int_equal(sb_add(sb, SB_MSG, 0, 0, "a", 1, "b", 1), 0);
	errno = 0;
	assert_int_equal(save_file(sb, "/nonexistent/dir/file"), -1);
	assert_int_equal(errno, ENOENT);
	/* A full device fails the write, not silently. */
	if (access("/dev/full", W_OK) == 0) {
		errno = 0;
		assert_int_equal(save_file(sb, "/dev/full"), -1);
		assert_int_equal(errno, ENOSPC);
	}
	/* A file is replaced, and a new one is the user's only. */
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, "old old old old\n", 16), 16);
	close(fd);
	assert_int_equal(save_file(sb, path), 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 12);	/* "HH:MM <a> b\n" */
	unlink(path);
	assert_int_equal(save_file(sb, path), 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(path);
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
