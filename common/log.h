/*
 * log.h: the log of both programs on stderr, one line per event,
 * filtered by level: the server's lines are timestamped, the client's
 * begin with its name.
 */
#ifndef LOG_H
#define LOG_H

#define LOG_QUIET	0	/* notices, warnings and errors only */
#define LOG_INFO	1	/* plus connects and disconnects */
#define LOG_DEBUG	2	/* plus debug lines */

/* Flags for log_init(). */
#define LOG_STAMP	0x01	/* begin each line with the local time */

/*
 * Sets the program name (the prefix of a line without LOG_STAMP), the
 * level and the flags.  Until called: "chat", LOG_INFO, no stamps.
 */
void	log_init(const char *prog, int level, int flags);

/* Always logged. */
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
/* A warning, with strerror(errno) appended; errno is kept. */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
/* A warning without errno. */
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

/* A runtime failure: logs like log_warn() or log_warnx(), exits 1. */
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* LOG_H */
