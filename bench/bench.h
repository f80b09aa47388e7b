/*
 * bench.h: the load generator's parts: latency histogram (hist_*),
 * message text and line parsing (wire_*), /proc figures (proc_*), and the
 * epoll load loop (load_*).  Standalone: libc only, nothing from common/.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Log-linear histogram of nanoseconds: exact below 64 ns, then 32 linear
 * buckets per power of two (about 3% resolution) up to 2^41 ns.  Fixed
 * size, so recording a value never allocates.
 */
#define HIST_SUB_BITS	5
#define HIST_SUB	(1 << HIST_SUB_BITS)
#define HIST_LINEAR	(2 * HIST_SUB)
#define HIST_OCTAVES	36
#define HIST_BUCKETS	(HIST_LINEAR + HIST_OCTAVES * HIST_SUB)

struct hist {
	uint64_t	count;
	uint64_t	max;
	uint64_t	bucket[HIST_BUCKETS];
};

/* Records one value (ns). */
void		hist_add(struct hist *, uint64_t ns);
/* Returns the value (ns) below which a fraction q of the values lie. */
uint64_t	hist_quantile(const struct hist *, double q);

/* Longest message text the generator sends (bytes before the line end). */
#define WIRE_SIZE_MIN	48
#define WIRE_SIZE_MAX	4000
#define WIRE_SIZE_MAX_IRC 400	/* an IRC line is 512 bytes with prefix */

/* What a message text carries. */
struct payload {
	uint32_t	sender;
	uint32_t	seq;
	uint64_t	ts;		/* CLOCK_MONOTONIC send time, ns */
};

/*
 * Writes exactly size bytes of message text carrying p to dst: "SENDER
 * SEQ TS " then a position-dependent pattern, so that any truncation,
 * merge or shift is seen by wire_check().
 */
void	wire_encode(char *dst, size_t size, const struct payload *p);
/* Decodes a text written by wire_encode(); 0, or -1 if it is not one. */
int	wire_check(const char *text, size_t len, size_t size,
	    struct payload *p);

/* Kinds of received lines, from wire_text_line() and wire_irc_line(). */
enum wire_kind {
	WIRE_MSG,	/* a message: from, text, textlen are set */
	WIRE_NOTICE,	/* server talk: ignored, but read at login */
	WIRE_ERROR,	/* the server refuses something */
	WIRE_PING,	/* IRC PING: text is the token */
	WIRE_NAMES_END,	/* IRC 366: this client's JOIN is complete */
	WIRE_OTHER,	/* a line that should not be there */
};

struct wire_line {
	enum wire_kind	 kind;
	long		 from;		/* nick bN: N, or -1 */
	const char	*text;
	size_t		 textlen;
};

/* Classifies one text-mode line (CR already removed). */
void	wire_text_line(const char *line, size_t len, struct wire_line *);
/* Classifies one IRC line (CR already removed). */
void	wire_irc_line(const char *line, size_t len, struct wire_line *);
/* Returns 1 if a `*** ` line says that a nick became bID. */
int	wire_text_is_nick(const char *line, size_t len, long id);

/* Reads a process's CPU seconds (user + system) from /proc/PID/stat. */
int	proc_cpu(long pid, double *secs);
/* Reads a process's resident set in KiB from /proc/PID/status. */
int	proc_rss_kb(long pid, long *kb);
/* Reads the busy time of all CPUs together (seconds) from /proc/stat. */
int	proc_host_cpu(double *secs);
/* Returns CLOCK_MONOTONIC in ns. */
uint64_t mono_ns(void);
/* Returns this process's CPU time in seconds. */
double	self_cpu(void);

/* What to run (from the command line). */
struct load_opts {
	const char	*host;
	const char	*port;
	int		 clients;
	int		 senders;
	uint32_t	 messages;
	size_t		 size;
	uint32_t	 window;
	double		 rate;		/* messages/s per sender; 0: closed */
	int		 irc;
	long		 server_pid;	/* 0: none */
	double		 timeout;	/* seconds for the whole run */
	double		 pause;		/* seconds idle before the messages */
};

/* What was measured. */
struct load_result {
	uint64_t	deliveries;
	uint64_t	expected;
	uint64_t	lost;
	uint64_t	reordered;
	uint64_t	corrupt;
	uint64_t	errors;		/* error lines from the server */
	uint64_t	disconnects;
	int		timed_out;
	double		login_s;
	double		seconds;
	double		server_cpu_s;	/* during the message phase */
	double		gen_cpu_s;	/* during the message phase */
	double		host_cpu_s;	/* all CPUs, same phase: who else ran */
	long		server_rss_kb;	/* at the end */
	long		rss_idle_kb;	/* with all clients idle */
	long		rss_before_kb;	/* before connecting */
	struct hist	lat;
	struct hist	send_lag;	/* open loop: sent after due, ns */
};

/*
 * Connects, logs in, waits for quiet, runs the message phase and fills
 * r.  Returns 0, or -1 after printing why on stderr (connection refused,
 * login failed, out of memory).
 */
int	load_run(const struct load_opts *, struct load_result *r);

#endif /* BENCH_H */
