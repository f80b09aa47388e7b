/*
 * save.c: the scrollback written to a file as text, so a long flood can
 * be searched or kept after it scrolled past (the client's /save).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "format.h"
#include "save.h"
#include "scrollback.h"

#define SAVE_BUFSIZE	(64 * 1024)

static long	save_write(const struct sb *, FILE *);

long
save_file(const struct sb *sb, const char *path)
{
	FILE	*fp;
	long	 n;
	int	 fd, saved;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	/* A long scrollback goes out in large writes. */
	setvbuf(fp, NULL, _IOFBF, SAVE_BUFSIZE);
	n = save_write(sb, fp);
	saved = errno;
	if (fclose(fp) == EOF && n != -1) {
		saved = errno;
		n = -1;
	}
	errno = saved;
	return n;
}

/* Every line held, oldest first, each ending in LF; -1 if a write fails. */
static long
save_write(const struct sb *sb, FILE *fp)
{
	struct fmt	*f;
	struct fmt_line	 fl;
	size_t		 i, n = sb_count(sb);
	int		 saved;

	if ((f = fmt_new()) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (fmt_line(f, sb_get(sb, i), 0, &fl) == -1 ||
		    fwrite(fl.s, 1, fl.len, fp) != fl.len ||
		    putc('\n', fp) == EOF)
			break;
	}
	saved = errno;
	fmt_free(f);
	errno = saved;
	return i < n ? -1 : (long)n;
}
