/*
 * log.c: timestamped log lines on stderr, one write() each so lines from
 * a crashing or signalled process never interleave halfway.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static void	log_vline(const char *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

static int	 log_level = LOG_INFO;

void
log_init(int level)
{
	log_level = level;
}

static void
log_vline(const char *suffix, const char *fmt, va_list ap)
{
	char		 buf[1024];
	struct timeval	 tv;
	struct tm	 tm;
	size_t		 n;
	int		 r;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
	r = snprintf(buf + n, sizeof buf - n, ".%03ld ",
	    (long)(tv.tv_usec / 1000));
	if (r > 0)
		n += (size_t)r;
	r = vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	if (r < 0)
		r = 0;
	n = n + (size_t)r < sizeof buf - 1 ? n + (size_t)r : sizeof buf - 2;
	if (suffix != NULL) {
		r = snprintf(buf + n, sizeof buf - n, ": %s", suffix);
		if (r > 0)
			n = n + (size_t)r < sizeof buf - 1 ?
			    n + (size_t)r : sizeof buf - 2;
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

char *
log_escape(const char *s, size_t len, char *buf, size_t cap)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 ch;
	size_t			 i, n = 0;

	if (cap == 0)
		return buf;
	for (i = 0; i < len && n + 5 < cap; i++) {
		ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			buf[n++] = (char)ch;
		else {
			buf[n++] = '\\';
			buf[n++] = 'x';
			buf[n++] = hex[ch >> 4];
			buf[n++] = hex[ch & 0xf];
		}
	}
	buf[n] = '\0';
	return buf;
}
