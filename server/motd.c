/*
 * motd.c: reads the message of the day: each line cleaned as text from
 * a client would be, and cut into pieces a notice can carry whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "motd.h"
#include "text.h"

static int	motd_add(char **, size_t *, const char *, size_t);

/* Adds line as pieces of at most MOTD_WIDTH bytes; -1 if out of memory. */
static int
motd_add(char **lines, size_t *n, const char *line, size_t len)
{
	size_t	piece;

	do {
		if (*n == MOTD_MAXLINES)
			return 0;
		piece = text_prefix(line, len, MOTD_WIDTH);
		if ((lines[*n] = malloc(piece + 1)) == NULL)
			return -1;
		memcpy(lines[*n], line, piece);
		lines[(*n)++][piece] = '\0';
		line += piece;
		len -= piece;
	} while (len > 0);
	return 0;
}

char **
motd_load(const char *path)
{
	FILE	 *fp;
	char	**lines, *buf = NULL, *out = NULL;
	size_t	  cap = 0, n = 0, len;
	ssize_t	  r;
	int	  saved = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	if ((lines = calloc(MOTD_MAXLINES + 1, sizeof(*lines))) == NULL) {
		saved = errno;
		goto done;
	}
	while (n < MOTD_MAXLINES && (r = getline(&buf, &cap, fp)) != -1) {
		len = strcspn(buf, "\r\n");
		free(out);
		if ((out = malloc(TEXT_CLEAN_MAX(len) + 1)) == NULL ||
		    motd_add(lines, &n, out, text_clean(buf, len, out)) == -1) {
			saved = ENOMEM;
			goto done;
		}
	}
	if (ferror(fp))
		saved = errno != 0 ? errno : EIO;
done:
	free(buf);
	free(out);
	fclose(fp);
	if (saved != 0) {
		motd_free(lines);
		errno = saved;
		return NULL;
	}
	return lines;
}

void
motd_free(char **lines)
{
	char	**l;

	for (l = lines; l != NULL && *l != NULL; l++)
		free(*l);
	free(lines);
}
