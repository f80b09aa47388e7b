/*
 * save.c: the scrollback written to a file as text, so a long flood can
 * be searched or kept after it scrolled past (the client's /save).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "save.h"
#include "scrollback.h"

#define SAVE_BUFSIZE	(64 * 1024)

static void	prefixes(int, const char **, const char **);

long
save_write(const struct sb *sb, FILE *fp)
{
	const struct sb_line	*l;
	const char		*nick, *text, *pre, *post;
	size_t			 nicklen, textlen, i, n = sb_count(sb);
	char			 hm[16];
	time_t			 t;
	struct tm		 tm;

	for (i = 0; i < n; i++) {
		if ((l = sb_get(sb, i)) == NULL)
			break;
		nick = sb_line_nick(l, &nicklen);
		text = sb_line_text(l, &textlen);
		prefixes(sb_line_kind(l), &pre, &post);
		t = sb_line_ts(l) / 1000;
		if (localtime_r(&t, &tm) == NULL ||
		    strftime(hm, sizeof(hm), "%H:%M ", &tm) == 0)
			snprintf(hm, sizeof(hm), "--:-- ");
		if (*pre == '\0')
			nicklen = 0;
		if (fprintf(fp, "%s%s%.*s%s", hm, pre, (int)nicklen, nick,
		    post) < 0 || fwrite(text, 1, textlen, fp) != textlen ||
		    putc('\n', fp) == EOF)
			return -1;
	}
	return (long)i;
}

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

/* What goes around the nick, by the line's kind, as the view draws it. */
static void
prefixes(int kind, const char **pre, const char **post)
{
	switch (kind) {
	case SB_MSG:
		*pre = "<";
		*post = "> ";
		break;
	case SB_ACT:
		*pre = "* ";
		*post = " ";
		break;
	case SB_PRIV:
		*pre = "*";
		*post = "* ";
		break;
	case SB_PRIVTO:
		*pre = "-> *";
		*post = "* ";
		break;
	default:
		*pre = *post = "";
		break;
	}
}
