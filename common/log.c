/*
 * log.c: log lines on stderr, one write() each so that lines from a
 * crashing or signalled process never interleave halfway.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static void	log_vline(int, const char *, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
static size_t	log_prefix(char *, size_t, int);

static const char	*log_prog = "chat";
static int		 log_level = LOG_INFO;
static int		 log_flags;

void
log_init(const char *prog, int level, int flags)
{
	log_prog = prog;
	log_level = level;
	log_flags = flags;
}

/*
 * "2026-12-02 12:00:00.123 " or "prog: "; a stamped line that ends the
 * program names it too, as a line on a terminal would.
 */
static size_t
log_prefix(char *buf, size_t cap, int named)
{
	struct timeval	 tv;
	struct tm	 tm;
	size_t		 n = 0;
	int		 r;

	if (log_flags & LOG_STAMP) {
		gettimeofday(&tv, NULL);
		localtime_r(&tv.tv_sec, &tm);
		n = strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
		r = snprintf(buf + n, cap - n, ".%03ld ",
		    (long)(tv.tv_usec / 1000));
		if (r > 0 && (size_t)r < cap - n)
			n += (size_t)r;
	} else
		named = 1;
	if (named) {
		r = snprintf(buf + n, cap - n, "%s: ", log_prog);
		if (r > 0 && (size_t)r < cap - n)
			n += (size_t)r;
	}
	return n;
}

static void
log_vline(int named, const char *suffix, const char *fmt, va_list ap)
{
	char	 buf[1024];
	size_t	 n;
	int	 r;

	n = log_prefix(buf, sizeof(buf), named);
	r = vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (r < 0)
		r = 0;
	n = n + (size_t)r < sizeof(buf) - 1 ? n + (size_t)r : sizeof(buf) - 2;
	if (suffix != NULL) {
		r = snprintf(buf + n, sizeof(buf) - n, ": %s", suffix);
		if (r > 0)
			n = n + (size_t)r < sizeof(buf) - 1 ?
			    n + (size_t)r : sizeof(buf) - 2;
	}
	buf[n++] = '\n';
	/* Nowhere to report a failure to log. */
	if (write(STDERR_FILENO, buf, n) == -1)
		return;
}

void
log_notice(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline(0, NULL, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vline(0, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline(0, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_INFO)
		return;
	va_start(ap, fmt);
	log_vline(0, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_DEBUG)
		return;
	va_start(ap, fmt);
	log_vline(0, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vline(1, strerror(saved), fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline(1, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
