/*
 * token.c: tokens for typed lines.  The server remembers the tokens of
 * every user for a while and takes a line only once per token, so a
 * token used twice would lose a line: the key is 64 random bits, and
 * the counter keeps one process's tokens apart.  _DEFAULT_SOURCE brings
 * getentropy() on glibc.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "token.h"

static int	 urandom(void *, size_t);

void
token_init(struct token *t)
{
	uint64_t	 k;

	if (getentropy(&k, sizeof(k)) == -1 && urandom(&k, sizeof(k)) == -1) {
		log_debug("no random source; the token key is made from the "
		    "time");
		k = (uint64_t)clock_wall_ms() * 1000003u ^
		    (uint64_t)clock_us() << 20 ^ (uint64_t)getpid() << 44;
	}
	snprintf(t->key, sizeof(t->key), "%016" PRIx64, k);
	t->count = 0;
}

size_t
token_next(struct token *t, char *buf)
{
	int	 n;

	n = snprintf(buf, TOKEN_MAX + 1, "%s.%" PRIu64, t->key, ++t->count);
	return n < 0 ? 0 : (size_t)n;
}

/* Reads len bytes from /dev/urandom; -1 if it cannot. */
static int
urandom(void *buf, size_t len)
{
	ssize_t	 n;
	int	 fd;

	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	do
		n = read(fd, buf, len);
	while (n == -1 && errno == EINTR);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}
