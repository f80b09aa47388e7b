/*
 * main.c: chat-client's command line: options, the locale, the first
 * connection, and then the full-screen or the plain client.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "net.h"
#include "plain.h"
#include "proto.h"
#include "screen.h"
#include "scrollback.h"
#include "session.h"
#include "tui.h"

#define MAX_SCROLLBACK	10000000

enum { OPT_PLAIN = 256, OPT_SCROLLBACK };

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
	struct session_cb	 cb;
	struct session		*s;
	struct tui		*t = NULL;
	struct plain		*p = NULL;
	const char		*host = "localhost", *port = "8008";
	const char		*nick = NULL;
	char			 err[NET_ERRLEN], *end;
	unsigned long		 n, lines = SB_DEFAULT_LINES;
	int			 ch, plain = 0, status;

	utf8_locale();
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "hVn:p:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage();
			return 0;
		case 'V':
			printf("chat-client %s\n", CHAT_VERSION);
			return 0;
		case 'n':
			if (!proto_valid_nick(optarg, strlen(optarg)))
				bad("invalid nick (1 to 16 letters, digits, "
				    "'_' or '-', a letter first)", optarg);
			nick = optarg;
			break;
		case 'p':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    errno != 0 || n == 0 || n > 65535)
				bad("invalid port", optarg);
			port = optarg;
			break;
		case OPT_PLAIN:
			plain = 1;
			break;
		case OPT_SCROLLBACK:
			errno = 0;
			lines = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    errno != 0 || lines == 0 || lines > MAX_SCROLLBACK)
				bad("invalid scrollback size", optarg);
			break;
		default:
			bad("unknown option or missing argument (see -h)",
			    argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		bad("too many arguments", argv[1]);
	if (argc == 1)
		host = argv[0];
	if (nick == NULL)
		nick = login_nick();
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		plain = 1;

	if (plain)
		p = plain_new();
	else
		t = tui_new(lines);
	if (p == NULL && t == NULL) {
		fprintf(stderr, "chat-client: out of memory\n");
		return 1;
	}
	if (plain)
		plain_callbacks(p, &cb);
	else
		tui_callbacks(t, &cb);
	if ((s = session_new(host, port, nick, &cb)) == NULL ||
	    loop_signals() == -1) {
		fprintf(stderr, "chat-client: %s\n", strerror(errno));
		status = 1;
	} else if (session_connect(s, err) == -1) {
		/* net_connect() names the host and port. */
		fprintf(stderr, "chat-client: %s\n", err);
		status = 1;
	} else {
		atexit(restore);
		status = plain ? plain_run(p, s) : tui_run(t, s);
		session_close(s);
	}
	session_free(s);
	plain_free(p);
	tui_free(t);
	return status;
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
