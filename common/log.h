/*
 * log.h: the server's log on stderr, one timestamped line per event,
 * filtered by level (-q, -v).
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

#define LOG_QUIET	0	/* listening lines and errors only */
#define LOG_INFO	1	/* plus connects and disconnects */
#define LOG_DEBUG	2	/* plus debug lines */

/* Sets the level: LOG_QUIET, LOG_INFO or LOG_DEBUG. */
void	log_init(int level);

/* Always logged: the listening addresses and such. */
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
/* An error, with strerror(errno) appended. */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
/* An error without errno. */
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copies untrusted text into buf (cap bytes, NUL-terminated) with every
 * byte outside printable ASCII as \xHH; returns buf.
 */
char	*log_escape(const char *s, size_t len, char *buf, size_t cap);

#endif /* LOG_H */
