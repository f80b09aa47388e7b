/*
 * main.c: chat-server's command line, signals, setup and teardown around
 * the event loop.
 */
#include <sys/resource.h>
#include <sys/select.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat.h"
#include "conn.h"
#include "console.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "proto.h"
#include "room.h"
#include "server.h"
#include "text.h"

#define SWEEP_MS	1000	/* dead links, lingering closes */
#define MOTD_MAXLINES	100

enum {
	OPT_SENDQ = 256,
	OPT_FLOOD_RATE,
	OPT_FLOOD_BURST,
	OPT_MOTD,
	OPT_DEAD_TIMEOUT
};

static const struct option longopts[] = {
	{ "listen",		required_argument,	NULL, 'l' },
	{ "port",		required_argument,	NULL, 'p' },
	{ "max-clients",	required_argument,	NULL, 'm' },
	{ "history",		required_argument,	NULL, 'H' },
	{ "sendq",		required_argument,	NULL, OPT_SENDQ },
	{ "flood-rate",		required_argument,	NULL, OPT_FLOOD_RATE },
	{ "flood-burst",	required_argument,	NULL, OPT_FLOOD_BURST },
	{ "motd",		required_argument,	NULL, OPT_MOTD },
	{ "dead-timeout",	required_argument,	NULL, OPT_DEAD_TIMEOUT },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

static int	sigpipe[2] = { -1, -1 };

static void	usage(FILE *);
static void	help(void);
static void	badarg(const char *, const char *, const char *)
		    __attribute__((noreturn));
static long long number(const char *, const char *, long long, long long);
static void	parse_args(int, char **, struct config *, int *);
static char	**motd_load(const char *);
static void	motd_free(char **);
static void	on_signal(int);
static void	signal_read(int, int, void *);
static int	signal_setup(struct server *);
static void	sweep(void *);
static int	listen_setup(struct server *);
static int	clients_max(const struct server *);

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: chat-server [-hqVv] [-H lines] [-l address] "
	    "[-m max-clients] [-p port]\n"
	    "                   [--dead-timeout secs] [--flood-burst lines]\n"
	    "                   [--flood-rate lines] [--motd file] "
	    "[--sendq bytes]\n");
}

static void
help(void)
{
	usage(stdout);
	printf("\n"
	    "  -l, --listen ADDRESS      listen on ADDRESS only "
	    "(default: all addresses)\n"
	    "  -p, --port PORT           TCP port (default %d; 0 picks a "
	    "free one)\n"
	    "  -m, --max-clients N       most clients at once "
	    "(default: what select() allows)\n"
	    "  -H, --history N           lines replayed per room on join "
	    "(default 50; 0: off)\n"
	    "      --sendq BYTES         cap on a client's queued output "
	    "(default 262144)\n"
	    "      --flood-rate N        lines per second per client "
	    "(default 10; 0: off)\n"
	    "      --flood-burst N       lines a client may send at once "
	    "(default 20)\n"
	    "      --motd FILE           message of the day, shown after the "
	    "welcome\n"
	    "      --dead-timeout SECS   drop a silent frame-mode client "
	    "(default %d)\n"
	    "  -q, --quiet               log listening addresses and errors "
	    "only\n"
	    "  -v, --verbose             log debug lines too\n"
	    "  -h, --help                this help\n"
	    "  -V, --version             print the version\n",
	    PROTO_PORT, PROTO_DEAD_SECS);
}

static void
badarg(const char *opt, const char *arg, const char *why)
{
	fprintf(stderr, "chat-server: %s '%s': %s (see chat-server --help)\n",
	    opt, arg, why);
	exit(2);
}

static long long
number(const char *opt, const char *arg, long long min, long long max)
{
	char		*end;
	long long	 v;
	char		 why[64];

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
		snprintf(why, sizeof why, "expected a number from %lld to %lld",
		    min, max);
		badarg(opt, arg, why);
	}
	return v;
}

static void
parse_args(int argc, char **argv, struct config *cf, int *level)
{
	int	 ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":H:hl:m:p:qVv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'l':
			cf->listen = optarg;
			break;
		case 'p':
			number("--port", optarg, 0, 65535);
			cf->port = optarg;
			break;
		case 'm':
			cf->max_clients = (int)number("--max-clients", optarg,
			    1, FD_SETSIZE);
			break;
		case 'H':
			cf->history = (unsigned)number("--history", optarg, 0,
			    100000);
			break;
		case OPT_SENDQ:
			cf->sendq = (size_t)number("--sendq", optarg, 1024,
			    1LL << 30);
			break;
		case OPT_FLOOD_RATE:
			cf->flood_rate = (double)number("--flood-rate", optarg,
			    0, 1000000);
			break;
		case OPT_FLOOD_BURST:
			cf->flood_burst = (double)number("--flood-burst",
			    optarg, 1, 1000000);
			break;
		case OPT_MOTD:
			cf->motd = motd_load(optarg);
			break;
		case OPT_DEAD_TIMEOUT:
			cf->dead_secs = (unsigned)number("--dead-timeout",
			    optarg, 1, 86400);
			break;
		case 'q':
			*level = LOG_QUIET;
			break;
		case 'v':
			*level = LOG_DEBUG;
			break;
		case 'h':
			help();
			exit(0);
		case 'V':
			printf("chat-server %s\n", CHAT_VERSION);
			exit(0);
		case ':':
			fprintf(stderr, "chat-server: option %s needs a value "
			    "(see chat-server --help)\n", argv[optind - 1]);
			exit(2);
		default:
			fprintf(stderr, "chat-server: unknown option %s (see "
			    "chat-server --help)\n", argv[optind - 1]);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "chat-server: unexpected argument '%s' (see "
		    "chat-server --help)\n", argv[optind]);
		exit(2);
	}
}

/* Reads the message of the day as clean lines; exits 2 if unreadable. */
static char **
motd_load(const char *path)
{
	FILE	 *fp;
	char	**lines, buf[PROTO_MAXLINE], out[TEXT_CLEAN_MAX(PROTO_MAXLINE)];
	size_t	  n = 0, len;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "chat-server: --motd '%s': %s\n", path,
		    strerror(errno));
		exit(2);
	}
	if ((lines = calloc(MOTD_MAXLINES + 1, sizeof *lines)) == NULL) {
		fprintf(stderr, "chat-server: out of memory\n");
		exit(1);
	}
	while (n < MOTD_MAXLINES && fgets(buf, sizeof buf, fp) != NULL) {
		len = strcspn(buf, "\r\n");
		len = text_clean(buf, len, out);
		if ((lines[n] = malloc(len + 1)) == NULL)
			break;
		memcpy(lines[n], out, len);
		lines[n++][len] = '\0';
	}
	fclose(fp);
	return lines;
}

static void
motd_free(char **lines)
{
	char	**l;

	for (l = lines; l != NULL && *l != NULL; l++)
		free(*l);
	free(lines);
}

static void
on_signal(int sig)
{
	unsigned char	 b = (unsigned char)sig;
	int		 saved = errno;
	ssize_t		 n;

	/* A full pipe already holds a wake-up for the loop. */
	n = write(sigpipe[1], &b, 1);
	(void)n;
	errno = saved;
}

static void
signal_read(int fd, int ready, void *arg)
{
	struct server	*srv = arg;
	unsigned char	 b[16];
	ssize_t		 n;
	int		 stop = 0;

	(void)ready;
	while ((n = read(fd, b, sizeof b)) > 0) {
		if (b[n - 1] == SIGINT || b[n - 1] == SIGTERM)
			stop = 1;
	}
	if (stop)
		chat_shutdown(srv);
}

/* Turns SIGINT and SIGTERM into bytes on a pipe the loop watches. */
static int
signal_setup(struct server *srv)
{
	struct sigaction	 sa;
	int			 i;

	if (pipe(sigpipe) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		if (net_nonblock(sigpipe[i]) == -1 ||
		    fcntl(sigpipe[i], F_SETFD, FD_CLOEXEC) == -1)
			return -1;
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return loop_add(srv->loop, sigpipe[0], LOOP_READ, signal_read, srv);
}

static void
sweep(void *arg)
{
	struct server	*srv = arg;
	static int	 peak;		/* clients at most since a trim */

	conn_sweep(srv);
	if (srv->nconns > peak)
		peak = srv->nconns;
#ifdef __GLIBC__
	/*
	 * Once most of a crowd has left, hand back the pages it freed in
	 * the middle of the heap, which free() alone keeps.
	 */
	if (srv->nconns * 2 < peak) {
		malloc_trim(0);
		peak = srv->nconns;
	}
#endif
	loop_timer_set(srv->loop, &srv->sweep_timer, SWEEP_MS, sweep, srv);
}

static int
listen_setup(struct server *srv)
{
	char	 err[NET_ERRLEN], addr[NET_ADDRLEN];
	int	 i;

	srv->nlisten = net_listen(srv->cf.listen, srv->cf.port, srv->lfd,
	    SERVER_MAXLISTEN, err);
	if (srv->nlisten <= 0) {
		srv->nlisten = 0;
		fprintf(stderr, "chat-server: cannot listen on %s port %s: %s\n",
		    srv->cf.listen != NULL ? srv->cf.listen : "*",
		    srv->cf.port, err);
		return -1;
	}
	for (i = 0; i < srv->nlisten; i++) {
		net_local_str(srv->lfd[i], addr, sizeof addr);
		if (loop_add(srv->loop, srv->lfd[i], LOOP_READ, conn_accept,
		    srv) == -1) {
			fprintf(stderr, "chat-server: cannot watch %s\n", addr);
			return -1;
		}
		log_notice("listening on %s", addr);
	}
	return 0;
}

/*
 * The most clients at once: as many as select() can watch and the
 * descriptor limit allows past the descriptors open now, less one under
 * the limit to accept a connection over it with and refuse it, so that
 * accept() never runs out; fewer if -m says so.
 */
static int
clients_max(const struct server *srv)
{
	struct rlimit	 rl;
	long		 lim = FD_SETSIZE, n;
	int		 i, used = sigpipe[1] + 1;

	for (i = 0; i < srv->nlisten; i++)
		if (srv->lfd[i] + 1 > used)
			used = srv->lfd[i] + 1;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= FD_SETSIZE)
		lim = (long)rl.rlim_cur - 1;
	n = lim - used > 1 ? lim - used : 1;
	if (srv->cf.max_clients == 0)
		return (int)n;
	if (srv->cf.max_clients > n) {
		log_notice("max-clients lowered from %d to %ld by the "
		    "descriptor limit", srv->cf.max_clients, n);
		return (int)n;
	}
	return srv->cf.max_clients;
}

int
main(int argc, char **argv)
{
	static struct server	 srv;
	char			 port[16];
	int			 level = LOG_INFO, rc = 0, i;

	snprintf(port, sizeof port, "%d", PROTO_PORT);
	srv.cf.port = port;
	srv.cf.history = 50;
	srv.cf.sendq = 256 * 1024;
	srv.cf.flood_rate = 10;
	srv.cf.flood_burst = 20;
	srv.cf.dead_secs = PROTO_DEAD_SECS;
	parse_args(argc, argv, &srv.cf, &level);
	log_init("chat-server", level, LOG_STAMP);

	if ((srv.loop = loop_new()) == NULL ||
	    (srv.lobby = room_create(&srv, PROTO_LOBBY,
	    sizeof PROTO_LOBBY - 1)) == NULL) {
		fprintf(stderr, "chat-server: out of memory\n");
		return 1;
	}
	if (signal_setup(&srv) == -1) {
		fprintf(stderr, "chat-server: signals: %s\n", strerror(errno));
		return 1;
	}
	if (listen_setup(&srv) == -1)
		return 1;
	if (console_start(&srv) == -1)
		log_warn("console");
	srv.cf.max_clients = clients_max(&srv);
	loop_before(srv.loop, conn_before_sleep, &srv);
	loop_timer_set(srv.loop, &srv.sweep_timer, SWEEP_MS, sweep, &srv);

	if (loop_run(srv.loop) == -1) {
		log_warn("select");
		rc = 1;
	}

	conn_free_all(&srv);
	console_stop(&srv);
	for (i = 0; i < srv.nlisten; i++)
		close(srv.lfd[i]);
	srv.lobby = NULL;
	while (srv.rooms != NULL)
		room_free(srv.rooms);
	loop_free(srv.loop);
	motd_free(srv.cf.motd);
	close(sigpipe[0]);
	close(sigpipe[1]);
	log_notice("exiting");
	return rc;
}
