/*
 * main.c: chat-server's command line, signals, and the server put
 * together around the event loop: what runs before each sleep, in order,
 * is here in one place.
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
#include "cmd.h"
#include "conn.h"
#include "console.h"
#include "listen.h"
#include "log.h"
#include "loop.h"
#include "motd.h"
#include "net.h"
#include "proto.h"
#include "room.h"
#include "selfpipe.h"
#include "store.h"
#include "stream.h"

#define SWEEP_MS	1000	/* dead links, lingering closes, limits */
#define STOP_MS		2000	/* longest flush at shutdown */
#define SENDQ_DEFAULT	(256 * 1024)
#define SENDQ_HARD_X	16	/* default hard limit: times the soft one */
#define SENDQ_SECS	10
#define KEEP_DEFAULT	10000	/* messages per room in --db */

enum {
	OPT_SENDQ = 256,
	OPT_SENDQ_HARD,
	OPT_SENDQ_TIME,
	OPT_FLOOD_RATE,
	OPT_FLOOD_BURST,
	OPT_MOTD,
	OPT_DEAD_TIMEOUT,
	OPT_DB,
	OPT_DB_SYNC,
	OPT_KEEP,
	OPT_KEEP_DAYS
};

static const struct option longopts[] = {
	{ "listen",		required_argument,	NULL, 'l' },
	{ "port",		required_argument,	NULL, 'p' },
	{ "max-clients",	required_argument,	NULL, 'm' },
	{ "history",		required_argument,	NULL, 'H' },
	{ "sendq",		required_argument,	NULL, OPT_SENDQ },
	{ "sendq-hard",		required_argument,	NULL, OPT_SENDQ_HARD },
	{ "sendq-time",		required_argument,	NULL, OPT_SENDQ_TIME },
	{ "flood-rate",		required_argument,	NULL, OPT_FLOOD_RATE },
	{ "flood-burst",	required_argument,	NULL, OPT_FLOOD_BURST },
	{ "motd",		required_argument,	NULL, OPT_MOTD },
	{ "dead-timeout",	required_argument,	NULL, OPT_DEAD_TIMEOUT },
	{ "db",			required_argument,	NULL, OPT_DB },
	{ "db-sync",		required_argument,	NULL, OPT_DB_SYNC },
	{ "keep",		required_argument,	NULL, OPT_KEEP },
	{ "keep-days",		required_argument,	NULL, OPT_KEEP_DAYS },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

struct config {
	const char		*listen;	/* NULL: every local address */
	const char		*port;
	int			 max_clients;	/* 0: as many as fit */
	unsigned		 history;	/* kept and replayed per room */
	struct conn_limits	 lim;
	unsigned		 dead_secs;	/* silence that drops a client */
	const char		*motd;		/* its file, or NULL */
	struct store_sql_config	 db;		/* path NULL: in memory */
	int			 level;
};

/* The server: every module's state, put together here. */
struct server {
	struct config		 cf;
	struct loop		*loop;
	struct listener		*listener;
	struct conns		*conns;
	struct store		*store;
	struct rooms		*rooms;
	struct chat		*chat;
	struct console		*console;
	char			**motd;
	int			 sigfd;
	int			 stopping;
	int			 peak;		/* clients at most since a trim */
	struct loop_timer	 sweep_timer;
	struct loop_timer	 stop_timer;
};

static void	usage(FILE *);
static void	help(void);
static void	badarg(const char *, const char *, const char *)
		    __attribute__((noreturn));
static long long number(const char *, const char *, long long, long long);
static void	parse_args(int, char **, struct config *);
static int	accepted(void *, int, const char *);
static void	before_sleep(void *);
static void	sweep(void *);
static void	on_signals(int, int, void *);
static void	on_synced(int, int, void *);
static void	reload(struct server *);
static void	stop(void *);
static void	stop_now(void *);
static int	clients_max(int, int *);
static struct store *store_setup(const struct config *);
static void	setup(struct server *);
static void	teardown(struct server *);

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: chat-server [-hqVv] [-H lines] [-l address] "
	    "[-m max-clients] [-p port]\n"
	    "                   [--db file] [--db-sync full | normal] "
	    "[--dead-timeout secs]\n"
	    "                   [--flood-burst lines] [--flood-rate lines] "
	    "[--keep messages]\n"
	    "                   [--keep-days days] [--motd file] "
	    "[--sendq bytes]\n"
	    "                   [--sendq-hard bytes] [--sendq-time secs]\n");
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
	    "      --sendq BYTES         soft limit of queued output "
	    "(default %d)\n"
	    "      --sendq-hard BYTES    hard limit (default %d times "
	    "--sendq)\n"
	    "      --sendq-time SECS     dropped if over --sendq this long "
	    "(default %d)\n"
	    "      --flood-rate N        lines per second per client "
	    "(default 10; 0: off)\n"
	    "      --flood-burst N       lines a client may send at once "
	    "(default 20)\n"
	    "      --motd FILE           message of the day, shown after the "
	    "welcome\n"
	    "      --dead-timeout SECS   drop a silent frame-mode client "
	    "(default %d)\n"
	    "      --db FILE             history in the SQLite file FILE "
	    "(default: in memory)\n"
	    "      --db-sync MODE        full (default) or normal: what a power "
	    "loss may undo\n"
	    "      --keep N              messages per room in --db "
	    "(default %d; 0: all)\n"
	    "      --keep-days D         drop messages after D days "
	    "(default: keep)\n"
	    "  -q, --quiet               log listening addresses and errors "
	    "only\n"
	    "  -v, --verbose             log debug lines too\n"
	    "  -h, --help                this help\n"
	    "  -V, --version             print the version\n",
	    PROTO_PORT, SENDQ_DEFAULT, SENDQ_HARD_X, SENDQ_SECS,
	    PROTO_DEAD_SECS, KEEP_DEFAULT);
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
		snprintf(why, sizeof(why), "expected a number from %lld to "
		    "%lld", min, max);
		badarg(opt, arg, why);
	}
	return v;
}

/* One option; exits 2 on a bad one. */
static void
parse_opt(int ch, char **argv, struct config *cf)
{
	switch (ch) {
	case 'l':
		cf->listen = optarg;
		break;
	case 'p':
		number("--port", optarg, 0, 65535);
		cf->port = optarg;
		break;
	case 'm':
		cf->max_clients = (int)number("--max-clients", optarg, 1,
		    FD_SETSIZE);
		break;
	case 'H':
		cf->history = (unsigned)number("--history", optarg, 0, 100000);
		break;
	case OPT_SENDQ:
		cf->lim.sendq = (size_t)number("--sendq", optarg, 1024,
		    1LL << 30);
		break;
	case OPT_SENDQ_HARD:
		cf->lim.sendq_hard = (size_t)number("--sendq-hard", optarg,
		    1024, 1LL << 32);
		break;
	case OPT_SENDQ_TIME:
		cf->lim.sendq_ms = 1000 * (unsigned)number("--sendq-time",
		    optarg, 0, 3600);
		break;
	case OPT_FLOOD_RATE:
		cf->lim.flood_rate = (double)number("--flood-rate", optarg, 0,
		    1000000);
		break;
	case OPT_FLOOD_BURST:
		cf->lim.flood_burst = (double)number("--flood-burst", optarg,
		    1, 1000000);
		break;
	case OPT_MOTD:
		cf->motd = optarg;
		break;
	case OPT_DEAD_TIMEOUT:
		cf->dead_secs = (unsigned)number("--dead-timeout", optarg, 1,
		    86400);
		break;
	case OPT_DB:
		if (*optarg == '\0')
			badarg("--db", optarg, "expected a file name");
		cf->db.path = optarg;
		break;
	case OPT_DB_SYNC:
		if (strcmp(optarg, "full") == 0)
			cf->db.sync = STORE_SYNC_FULL;
		else if (strcmp(optarg, "normal") == 0)
			cf->db.sync = STORE_SYNC_NORMAL;
		else
			badarg("--db-sync", optarg, "expected full or normal");
		break;
	case OPT_KEEP:
		cf->db.keep = (unsigned)number("--keep", optarg, 0,
		    1000000000);
		break;
	case OPT_KEEP_DAYS:
		cf->db.keep_days = (unsigned)number("--keep-days", optarg, 0,
		    36500);
		break;
	case 'q':
		cf->level = LOG_QUIET;
		break;
	case 'v':
		cf->level = LOG_DEBUG;
		break;
	case 'h':
		help();
		exit(0);
	case 'V':
		printf("chat-server %s\n", CHAT_VERSION);
		exit(0);
	case ':':
		fprintf(stderr, "chat-server: option %s needs a value (see "
		    "chat-server --help)\n", argv[optind - 1]);
		exit(2);
	default:
		fprintf(stderr, "chat-server: unknown option %s (see "
		    "chat-server --help)\n", argv[optind - 1]);
		exit(2);
	}
}

static void
parse_args(int argc, char **argv, struct config *cf)
{
	int	 ch, hard = 0;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":H:hl:m:p:qVv", longopts,
	    NULL)) != -1) {
		parse_opt(ch, argv, cf);
		hard |= ch == OPT_SENDQ_HARD;
	}
	if (optind < argc) {
		fprintf(stderr, "chat-server: unexpected argument '%s' (see "
		    "chat-server --help)\n", argv[optind]);
		exit(2);
	}
	if (!hard)
		cf->lim.sendq_hard = cf->lim.sendq * SENDQ_HARD_X;
	if (cf->lim.sendq_hard < cf->lim.sendq) {
		fprintf(stderr, "chat-server: --sendq-hard %zu is below "
		    "--sendq %zu (see chat-server --help)\n",
		    cf->lim.sendq_hard, cf->lim.sendq);
		exit(2);
	}
}

/* A connection from the listener: served, or refused when full. */
static int
accepted(void *arg, int fd, const char *addr)
{
	struct server	*srv = arg;
	struct stream	*s;

	if (srv->cf.max_clients > 0 &&
	    conns_count(srv->conns) >= srv->cf.max_clients)
		return 1;
	if ((s = stream_plain(fd)) == NULL) {
		log_warn("accept: %s", addr);
		close(fd);
		return 0;
	}
	if (chat_accept(srv->chat, s, addr) == -1) {
		log_warn("accept: cannot set up a connection from %s", addr);
		stream_close(s);
	}
	return 0;
}

/*
 * The safe point of each loop turn.  Lines a stream already holds are
 * taken; then, until nothing more comes of it, what was stored is made
 * durable before anyone sees it, rooms queue what they said for their
 * members, connections past their limits are dropped (which may make a
 * room say more), and every connection with new output is written;
 * closed connections are freed last, when nothing refers to them.
 */
static void
before_sleep(void *arg)
{
	struct server	*srv = arg;

	conns_input(srv->conns);
	do {
		rooms_settle(srv->rooms);
		conns_drop(srv->conns);
		conns_flush(srv->conns);
	} while (rooms_dirty(srv->rooms) || conns_busy(srv->conns));
	conns_reap(srv->conns);
	if (srv->stopping && conns_count(srv->conns) == 0)
		loop_stop(srv->loop);
}

static void
sweep(void *arg)
{
	struct server	*srv = arg;
	int		 n = conns_count(srv->conns);

	conns_sweep(srv->conns);
	store_maintain(srv->store);
	if (n > srv->peak)
		srv->peak = n;
#ifdef __GLIBC__
	/*
	 * Once most of a crowd has left, hand back the pages it freed in
	 * the middle of the heap, which free() alone keeps.
	 */
	if (n * 2 < srv->peak) {
		malloc_trim(0);
		srv->peak = n;
	}
#endif
	loop_timer_set(srv->loop, &srv->sweep_timer, SWEEP_MS, sweep, srv);
}

static void
on_synced(int fd, int ready, void *arg)
{
	struct server	*srv = arg;

	(void)fd;
	(void)ready;
	(void)store_synced(srv->store);
}

static void
on_signals(int fd, int ready, void *arg)
{
	struct server	*srv = arg;
	int		 sigs[16], n, i;

	(void)fd;
	(void)ready;
	while ((n = selfpipe_read(sigs, 16)) > 0) {
		for (i = 0; i < n; i++) {
			if (sigs[i] == SIGHUP)
				reload(srv);
			else
				stop(srv);
		}
	}
}

/* SIGHUP: the message of the day again; a bad file keeps the old one. */
static void
reload(struct server *srv)
{
	char	**lines;

	if (srv->cf.motd == NULL) {
		log_notice("SIGHUP: nothing to reload");
		return;
	}
	if ((lines = motd_load(srv->cf.motd)) == NULL) {
		log_warn("SIGHUP: cannot read --motd %s; keeping the old one",
		    srv->cf.motd);
		return;
	}
	chat_set_motd(srv->chat, lines);
	motd_free(srv->motd);
	srv->motd = lines;
	log_notice("SIGHUP: reloaded the message of the day from %s",
	    srv->cf.motd);
}

/* Tells everyone, stops accepting, and stops the loop within STOP_MS. */
static void
stop(void *arg)
{
	struct server	*srv = arg;

	if (srv->stopping)
		return;
	srv->stopping = 1;
	log_notice("shutting down");
	listen_stop(srv->listener);
	console_stop(srv->console);
	chat_shutdown(srv->chat);
	loop_timer_set(srv->loop, &srv->stop_timer, STOP_MS, stop_now, srv);
}

static void
stop_now(void *arg)
{
	struct server	*srv = arg;

	loop_stop(srv->loop);
}

/*
 * The most clients at once: as many as select() can watch and the
 * descriptor limit allows past the descriptors open now, less one under
 * the limit to accept a connection over it with and refuse it, so that
 * accept() never runs out; fewer if -m says so.  What -m leaves of
 * the limit goes to *spare, for refused connections to wait in.
 */
static int
clients_max(int asked, int *spare)
{
	struct rlimit	 rl;
	long		 lim = FD_SETSIZE, n;
	int		 fd, used = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= FD_SETSIZE)
		lim = (long)rl.rlim_cur - 1;
	/*
	 * Counted, not the highest: a connection takes the lowest free
	 * descriptor, so one inherited high up costs one slot.  Below the
	 * limit only: a tool such as valgrind keeps its own above it.
	 */
	for (fd = 0; fd < lim; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			used++;
	n = lim - used > 1 ? lim - used : 1;
	*spare = 0;
	if (asked == 0)
		return (int)n;
	if (asked > n) {
		log_notice("max-clients lowered from %d to %ld by the "
		    "descriptor limit", asked, n);
		return (int)n;
	}
	*spare = (int)(n - asked);
	return asked;
}

/*
 * History in the --db file, or else in memory.  A file over the size
 * limit fails its write with EFBIG, which the store reports, rather than
 * kill the server with SIGXFSZ.
 */
static struct store *
store_setup(const struct config *cf)
{
	struct store	*st;
	char		 why[512];

	if (cf->db.path == NULL)
		return store_mem_new(cf->history);
	signal(SIGXFSZ, SIG_IGN);
	if ((st = store_sql_open(&cf->db, why, sizeof(why))) == NULL)
		fatalx("%s", why);
	log_info("history in %s", cf->db.path);
	return st;
}

/* Puts the server together; exits on failure. */
static void
setup(struct server *srv)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP };
	char			 err[NET_ERRLEN];
	int			 spare;

	if (srv->cf.motd != NULL &&
	    (srv->motd = motd_load(srv->cf.motd)) == NULL) {
		fprintf(stderr, "chat-server: --motd '%s': %s\n",
		    srv->cf.motd, strerror(errno));
		exit(2);
	}
	if ((srv->loop = loop_new()) == NULL ||
	    (srv->store = store_setup(&srv->cf)) == NULL ||
	    (srv->rooms = rooms_new(srv->store, srv->cf.history)) == NULL ||
	    (srv->conns = conns_new(srv->loop, &srv->cf.lim)) == NULL ||
	    (srv->chat = chat_new(srv->loop, srv->conns, srv->rooms,
	    srv->cf.dead_secs, cmd_line)) == NULL)
		fatalx("out of memory");
	chat_set_motd(srv->chat, srv->motd);
	if ((srv->sigfd = selfpipe_open(sigs, sizeof(sigs) /
	    sizeof(sigs[0]))) == -1 ||
	    loop_add(srv->loop, srv->sigfd, LOOP_READ, on_signals, srv) == -1)
		fatal("signals");
	/* The disk caught up: before_sleep() delivers what it now holds. */
	if (store_fd(srv->store) != -1 && loop_add(srv->loop,
	    store_fd(srv->store), LOOP_READ, on_synced, srv) == -1)
		fatal("history");
	if ((srv->listener = listen_open(srv->loop, srv->cf.listen,
	    srv->cf.port, "*** error: server full\r\n", accepted, srv,
	    err)) == NULL)
		fatalx("%s", err);
	listen_log(srv->listener);
	if ((srv->console = console_new(srv->loop, srv->chat, stop,
	    srv)) == NULL)
		log_warn("console");
	srv->cf.max_clients = clients_max(srv->cf.max_clients, &spare);
	listen_set_waiting(srv->listener, spare);
	loop_before(srv->loop, before_sleep, srv);
	loop_timer_set(srv->loop, &srv->sweep_timer, SWEEP_MS, sweep, srv);
}

/* Frees everything, so that a leak checker sees nothing left. */
static void
teardown(struct server *srv)
{
	listen_free(srv->listener);
	console_free(srv->console);
	rooms_free(srv->rooms);
	chat_free(srv->chat);
	conns_free(srv->conns);
	store_free(srv->store);
	loop_free(srv->loop);
	motd_free(srv->motd);
	selfpipe_close();
}

int
main(int argc, char **argv)
{
	static struct server	 srv;
	char			 port[16];
	int			 rc = 0;

	snprintf(port, sizeof(port), "%d", PROTO_PORT);
	srv.cf.port = port;
	srv.cf.history = 50;
	srv.cf.lim.sendq = SENDQ_DEFAULT;
	srv.cf.lim.sendq_ms = SENDQ_SECS * 1000;
	srv.cf.lim.flood_rate = 10;
	srv.cf.lim.flood_burst = 20;
	srv.cf.dead_secs = PROTO_DEAD_SECS;
	srv.cf.db.keep = KEEP_DEFAULT;
	srv.cf.level = LOG_INFO;
	parse_args(argc, argv, &srv.cf);
	log_init("chat-server", srv.cf.level, LOG_STAMP);
	setup(&srv);
	if (loop_run(srv.loop) == -1) {
		log_warn("select");
		rc = 1;
	}
	teardown(&srv);
	log_notice("exiting");
	return rc;
}
