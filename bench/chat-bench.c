/*
 * chat-bench.c: load generator for chat-server (text mode) and IRC
 * servers: options, the descriptor limit, and the one-line report.
 */
#include <sys/resource.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static void	usage(FILE *, int);
static int	parse_options(int, char **, struct load_opts *);
static int	num(const char *, const char *, double, double, double *);
static int	raise_nofile(int);
static void	report(const struct load_opts *, const struct load_result *);

int
main(int argc, char **argv)
{
	struct load_opts	 o;
	struct load_result	*r;
	int			 bad;

	if (parse_options(argc, argv, &o) == -1)
		usage(stderr, 2);
	signal(SIGPIPE, SIG_IGN);
	if (raise_nofile(o.clients + 16) == -1)
		return 1;
	/* The histogram is large: keep it off the stack. */
	if ((r = malloc(sizeof(*r))) == NULL) {
		perror("chat-bench");
		return 1;
	}
	if (load_run(&o, r) == -1) {
		free(r);
		return 1;
	}
	report(&o, r);
	bad = r->lost || r->corrupt || r->reordered || r->errors ||
	    r->disconnects || r->timed_out || r->deliveries < r->expected;
	free(r);
	return bad;
}

static void
usage(FILE *f, int status)
{
	fprintf(f,
"usage: chat-bench [--irc] [--host HOST] [--port PORT] [-n CLIENTS]\n"
"                  [-s SENDERS] [-m MESSAGES] [--size BYTES] [--window W]\n"
"                  [--rate MSG_PER_S] [--server-pid PID] [--timeout SECS]\n"
"                  [--pause SECS]\n");
	if (status != 0)
		exit(status);
	fprintf(f, "\n"
"Connects CLIENTS clients (nicks b0, b1, ...), logs them in, waits for\n"
"quiet, then the first SENDERS clients send MESSAGES messages each to the\n"
"room (chat text mode) or to #bench (--irc).  Every client checks every\n"
"line it receives.  Prints one line of key=value figures.\n"
"\n"
"  --host HOST         server address (127.0.0.1)\n"
"  --port PORT         server port (8008, or 6667 with --irc)\n"
"  -n, --clients N     connected clients (10)\n"
"  -s, --senders S     clients that send, at most N (1)\n"
"  -m, --messages M    messages per sender (1000)\n"
"  --size BYTES        message text length (64)\n"
"  --window W          closed loop: messages in flight per sender (16);\n"
"                      one leaves flight when a designated receiver (the\n"
"                      last client; the next one if all send) has it\n"
"  --rate R            open loop: R messages/s per sender\n"
"  --irc               speak IRC (NICK/USER/JOIN #bench, PRIVMSG)\n"
"  --server-pid PID    read the server's CPU and memory from /proc\n"
"  --timeout SECS      give up after SECS seconds in all (120)\n"
"  --pause SECS        once all are in and idle, and again once the messages\n"
"                      are done, say so on stderr and wait SECS seconds\n"
"                      (to profile the server's message phase only)\n"
"  -h, --help          this text\n"
"\n"
"Figures: server_cpu_s, gen_cpu_s and seconds cover the message phase;\n"
"host_cpu_s is the busy time of all CPUs then (more than the server and\n"
"generator together: other load, or the kernel's loopback work);\n"
"server_rss_kb is read at its end; rss_per_idle_client_b is the growth\n"
"of the server's RSS from before connecting to all clients idle, over N.\n"
"Exit status: 0, or 1 on loss, reordering, corruption, a server error\n"
"line, a disconnect or a timeout; 2 on bad arguments.\n");
	exit(status);
}

static int
parse_options(int argc, char **argv, struct load_opts *o)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "clients", required_argument, NULL, 'n' },
		{ "senders", required_argument, NULL, 's' },
		{ "messages", required_argument, NULL, 'm' },
		{ "size", required_argument, NULL, 'S' },
		{ "window", required_argument, NULL, 'w' },
		{ "rate", required_argument, NULL, 'r' },
		{ "irc", no_argument, NULL, 'i' },
		{ "server-pid", required_argument, NULL, 'P' },
		{ "timeout", required_argument, NULL, 't' },
		{ "pause", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	double	 v = 0;
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	o->clients = 10;
	o->senders = 1;
	o->messages = 1000;
	o->size = 64;
	o->window = 16;
	o->timeout = 120;
	while ((ch = getopt_long(argc, argv, "n:s:m:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'H':
			o->host = optarg;
			break;
		case 'p':
			if (num("port", optarg, 1, 65535, &v) == -1)
				return -1;
			o->port = optarg;
			break;
		case 'n':
			if (num("clients", optarg, 2, 1e6, &v) == -1)
				return -1;
			o->clients = (int)v;
			break;
		case 's':
			if (num("senders", optarg, 0, 1e6, &v) == -1)
				return -1;
			o->senders = (int)v;
			break;
		case 'm':
			if (num("messages", optarg, 1, 4e9, &v) == -1)
				return -1;
			o->messages = (uint32_t)v;
			break;
		case 'S':
			if (num("size", optarg, WIRE_SIZE_MIN, WIRE_SIZE_MAX,
			    &v) == -1)
				return -1;
			o->size = (size_t)v;
			break;
		case 'w':
			if (num("window", optarg, 1, 1e6, &v) == -1)
				return -1;
			o->window = (uint32_t)v;
			break;
		case 'r':
			if (num("rate", optarg, 0, 1e7, &v) == -1)
				return -1;
			o->rate = v;
			break;
		case 'i':
			o->irc = 1;
			break;
		case 'P':
			if (num("server-pid", optarg, 1, 4e9, &v) == -1)
				return -1;
			o->server_pid = (long)v;
			break;
		case 't':
			if (num("timeout", optarg, 0.1, 1e6, &v) == -1)
				return -1;
			o->timeout = v;
			break;
		case 'z':
			if (num("pause", optarg, 0, 3600, &v) == -1)
				return -1;
			o->pause = v;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "chat-bench: unexpected argument: %s\n",
		    argv[optind]);
		return -1;
	}
	if (o->senders > o->clients) {
		fprintf(stderr, "chat-bench: more senders than clients\n");
		return -1;
	}
	if (o->irc && o->size > WIRE_SIZE_MAX_IRC) {
		fprintf(stderr, "chat-bench: --size is at most %d with --irc\n",
		    WIRE_SIZE_MAX_IRC);
		return -1;
	}
	if (o->port == NULL)
		o->port = o->irc ? "6667" : "8008";
	return 0;
}

/* Reads a number within [lo, hi]; a clear message and -1 otherwise. */
static int
num(const char *what, const char *s, double lo, double hi, double *v)
{
	char	*end;

	*v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || !(*v >= lo && *v <= hi)) {
		fprintf(stderr, "chat-bench: bad %s: %s (%g to %g)\n", what, s,
		    lo, hi);
		return -1;
	}
	return 0;
}

/* Raises the descriptor limit as far as the hard limit allows. */
static int
raise_nofile(int need)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		perror("chat-bench: getrlimit");
		return -1;
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		perror("chat-bench: setrlimit");
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)need) {
		fprintf(stderr, "chat-bench: %d clients need %d descriptors; "
		    "the limit is %llu\n", need - 16, need,
		    (unsigned long long)rl.rlim_cur);
		return -1;
	}
	return 0;
}

static void
report(const struct load_opts *o, const struct load_result *r)
{
	double	 dps = r->seconds > 0 ? (double)r->deliveries / r->seconds : 0;
	long	 idle = 0;

	if (r->rss_idle_kb > 0 && r->rss_before_kb > 0)
		idle = (r->rss_idle_kb - r->rss_before_kb) * 1024 / o->clients;
	printf("mode=%s clients=%d senders=%d messages=%u size=%zu "
	    "window=%u rate=%g deliveries=%llu expected=%llu lost=%llu "
	    "reordered=%llu corrupt=%llu errors=%llu disconnects=%llu "
	    "timed_out=%d login_s=%.3f seconds=%.3f deliveries_per_s=%.0f "
	    "lat_p50_us=%.1f lat_p99_us=%.1f lat_max_us=%.1f ",
	    o->irc ? "irc" : "text", o->clients, o->senders, o->messages,
	    o->size, o->rate > 0 ? 0 : o->window, o->rate,
	    (unsigned long long)r->deliveries,
	    (unsigned long long)r->expected, (unsigned long long)r->lost,
	    (unsigned long long)r->reordered, (unsigned long long)r->corrupt,
	    (unsigned long long)r->errors,
	    (unsigned long long)r->disconnects, r->timed_out, r->login_s,
	    r->seconds, dps, hist_quantile(&r->lat, 0.50) / 1e3,
	    hist_quantile(&r->lat, 0.99) / 1e3, r->lat.max / 1e3);
	if (o->server_pid > 0)
		printf("server_cpu_s=%.2f server_rss_kb=%ld "
		    "rss_per_idle_client_b=%ld ", r->server_cpu_s,
		    r->server_rss_kb, idle);
	else
		printf("server_cpu_s=na server_rss_kb=na "
		    "rss_per_idle_client_b=na ");
	printf("gen_cpu_s=%.2f host_cpu_s=%.2f", r->gen_cpu_s,
	    r->host_cpu_s);
	/* How late the generator itself sent: part of every latency. */
	if (o->rate > 0)
		printf(" send_lag_p99_us=%.1f send_lag_max_us=%.1f",
		    hist_quantile(&r->send_lag, 0.99) / 1e3,
		    r->send_lag.max / 1e3);
	printf("\n");
	fflush(stdout);
}
