/*
 * main.c: chat-client's command line: options, the locale, the first
 * connection (made by the loop, as every reconnect is), and then the
 * full-screen or the plain client.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "plain.h"
#include "proto.h"
#include "screen.h"
#include "scrollback.h"
#include "selfpipe.h"
#include "session.h"
#include "tui.h"

#define MAX_SCROLLBACK	10000000

enum { OPT_PLAIN = 256, OPT_SCROLLBACK };

/* What the command line asks for. */
struct opts {
	const char	*host;
	const char	*port;
	const char	*nick;
	unsigned long	 lines;
	int		 plain;
};

/* The wait for the first connection, as a loop_ui with no screen. */
struct first {
	struct session	*s;
	int		 stop;		/* a signal came */
};

static void		 options(int, char *[], struct opts *);
static unsigned long	 number(const char *, unsigned long);
static int		 connect_first(struct session *);
static int		 first_infd(void *);
static void		 first_input(void *, short);
static void		 first_signal(void *, int);
static void		 first_turn(void *);
static int		 first_done(void *);
static int		 first_timeout(void *);
static void		 unsent(const struct session *);
static void		 usage(void);
static void		 bad(const char *, const char *);
static const char	*login_nick(void);
static void		 utf8_locale(void);
static void		 restore(void);

static const struct option longopts[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "nick",	required_argument,	NULL, 'n' },
	{ "port",	required_argument,	NULL, 'p' },
	{ "plain",	no_argument,		NULL, OPT_PLAIN },
	{ "scrollback",	required_argument,	NULL, OPT_SCROLLBACK },
	{ NULL,		0,			NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct opts		 o;
	struct session_cb	 cb;
	struct session		*s;
	struct tui		*t = NULL;
	struct plain		*p = NULL;
	int			 status;

	utf8_locale();
	log_init("chat-client", LOG_QUIET, 0);
	options(argc, argv, &o);
	if (o.plain)
		p = plain_new();
	else
		t = tui_new(o.lines);
	if (p == NULL && t == NULL)
		fatalx("out of memory");
	if (o.plain)
		plain_callbacks(p, &cb);
	else
		tui_callbacks(t, &cb);
	if ((s = session_new(o.host, o.port, o.nick, &cb)) == NULL ||
	    loop_signals() == -1) {
		log_warn("cannot start");
		status = 1;
	} else if (connect_first(s) == -1) {
		/* A signal while connecting is no error. */
		status = session_failed(s) != NULL ? 1 : 0;
		if (status != 0)
			log_warnx("%s", session_failed(s));
	} else {
		atexit(restore);
		status = o.plain ? plain_run(p, s) : tui_run(t, s);
		unsent(s);
		session_close(s);
	}
	session_free(s);
	plain_free(p);
	tui_free(t);
	return status;
}

/* The command line, into o; a bad argument exits 2. */
static void
options(int argc, char *argv[], struct opts *o)
{
	int	ch;

	memset(o, 0, sizeof(*o));
	o->host = "localhost";
	o->port = "8008";
	o->lines = SB_DEFAULT_LINES;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "hVn:p:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage();
			exit(0);
		case 'V':
			printf("chat-client %s\n", CHAT_VERSION);
			exit(0);
		case 'n':
			if (!proto_valid_nick(optarg, strlen(optarg)))
				bad("invalid nick (1 to 16 letters, digits, "
				    "'_' or '-', a letter first)", optarg);
			o->nick = optarg;
			break;
		case 'p':
			if (number(optarg, 65535) == 0)
				bad("invalid port", optarg);
			o->port = optarg;
			break;
		case OPT_PLAIN:
			o->plain = 1;
			break;
		case OPT_SCROLLBACK:
			if ((o->lines = number(optarg, MAX_SCROLLBACK)) == 0)
				bad("invalid scrollback size", optarg);
			break;
		default:
			bad("unknown option or missing argument (see -h)",
			    argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		bad("too many arguments", argv[optind + 1]);
	if (argc - optind == 1)
		o->host = argv[optind];
	if (o->nick == NULL)
		o->nick = login_nick();
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		o->plain = 1;
}

/* A decimal number from 1 to max; 0 if arg is not one. */
static unsigned long
number(const char *arg, unsigned long max)
{
	unsigned long	 n;
	char		*end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 ||
	    n > max)
		return 0;
	return n;
}

/*
 * Makes the first connection the way every reconnect is made, before
 * a screen starts: 0 once connected, -1 if the attempt failed
 * (session_failed() says why) or a signal other than SIGWINCH came.
 */
static int
connect_first(struct session *s)
{
	struct first	 f = { s, 0 };
	struct loop_ui	 ui = { &f, first_infd, first_input, first_signal,
			    first_turn, first_done, first_timeout };

	loop_run(s, &ui);
	return session_state(s) == SESSION_HELLO ? 0 : -1;
}

static int
first_infd(void *arg)
{
	(void)arg;
	return -1;
}

static void
first_input(void *arg, short revents)
{
	(void)arg;
	(void)revents;
}

static void
first_signal(void *arg, int signo)
{
	struct first	*f = arg;

	/* No window yet: SIGQUIT dies of itself, as it does later. */
	if (signo == SIGQUIT)
		selfpipe_raise(signo);
	if (signo != SIGWINCH)
		f->stop = 1;
}

static void
first_turn(void *arg)
{
	(void)arg;
}

static int
first_done(void *arg)
{
	struct first	*f = arg;

	return f->stop || session_done(f->s) ||
	    session_state(f->s) >= SESSION_HELLO;
}

static int
first_timeout(void *arg)
{
	(void)arg;
	return -1;
}

/*
 * Leaving before the server took every message (a signal, or a /quit
 * that could not wait long enough) is not silent; the screen is gone.
 */
static void
unsent(const struct session *s)
{
	size_t	 n;

	if ((n = session_nwaiting(s)) > 0)
		log_warnx("%zu message%s may not have reached the room", n,
		    n == 1 ? "" : "s");
}

static void
usage(void)
{
	printf("usage: chat-client [-hV] [-n nick] [-p port] [--plain] "
	    "[--scrollback lines] [host]\n"
	    "  -h, --help           show this help and exit\n"
	    "  -V, --version        show the version and exit\n"
	    "  -n, --nick NICK      the nick to use (default: the login "
	    "name)\n"
	    "  -p, --port PORT      the server's port (default: 8008)\n"
	    "      --plain          no full screen: lines in, events out\n"
	    "      --scrollback N   lines of scrollback kept (default: "
	    "%d)\n"
	    "  host                 the server (default: localhost)\n",
	    SB_DEFAULT_LINES);
}

/* A bad argument: one line on stderr, exit 2. */
static void
bad(const char *what, const char *arg)
{
	fprintf(stderr, "chat-client: %s: %s\n", what, arg);
	exit(2);
}

/* The login name if it is a valid nick; NULL lets the server pick. */
static const char *
login_nick(void)
{
	const char	*name;
	struct passwd	*pw;

	if ((name = getenv("LOGNAME")) == NULL || *name == '\0')
		name = getenv("USER");
	if ((name == NULL || *name == '\0') &&
	    (pw = getpwuid(getuid())) != NULL)
		name = pw->pw_name;
	if (name == NULL || !proto_valid_nick(name, strlen(name)))
		return NULL;
	return name;
}

/*
 * The protocol is UTF-8, and widths come from wcwidth(): without a
 * UTF-8 locale from the environment, take C.UTF-8 for characters.
 */
static void
utf8_locale(void)
{
	const char	*cs;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	if (cs != NULL && (strcmp(cs, "UTF-8") == 0 ||
	    strcmp(cs, "utf8") == 0))
		return;
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "en_US.UTF-8");
}

/* Whatever the way out, the terminal is left as it was found. */
static void
restore(void)
{
	screen_end();
}
