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

static void	log_vline(const char *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static size_t	log_prefix(char *, size_t);

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

/* "2026-12-02 12:00:00.123 " or "prog: ". */
static size_t
log_prefix(char *buf, size_t cap)
{
	struct timeval	 tv;
	struct tm	 tm;
	size_t		 n;
	int		 r;

	if (!(log_flags & LOG_STAMP)) {
		r = snprintf(buf, cap, "%s: ", log_prog);
		return r > 0 && (size_t)r < cap ? (size_t)r : 0;
	}
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
	r = snprintf(buf + n, cap - n, ".%03ld ", (long)(tv.tv_usec / 1000));
	return r > 0 && (size_t)r < cap - n ? n + (size_t)r : n;
}

static void
log_vline(const char *suffix, const char *fmt, va_list ap)
{
	char	 buf[1024];
	size_t	 n;
	int	 r;

	n = log_prefix(buf, sizeof(buf));
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
	log_vline(NULL, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vline(strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline(NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_INFO)
		return;
	va_start(ap, fmt);
	log_vline(NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_DEBUG)
		return;
	va_start(ap, fmt);
	log_vline(NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vline(strerror(saved), fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline(NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
