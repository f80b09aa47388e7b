/*
 * console.c: lines typed on the server's stdin: text is announced to
 * every room, and a few commands let the operator look and act.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat.h"
#include "conn.h"
#include "console.h"
#include "linebuf.h"
#include "log.h"
#include "loop.h"
#include "proto.h"
#include "room.h"
#include "server.h"
#include "text.h"

struct console {
	struct linebuf	*in;
};

static void	console_read(int, int, void *);
static void	console_who(struct server *, FILE *);
static void	console_kick(struct server *, const char *, size_t, FILE *);

int
console_start(struct server *srv)
{
	struct console	*con;

	if (fcntl(STDIN_FILENO, F_GETFD) == -1)
		return 0;
	if ((con = calloc(1, sizeof *con)) == NULL)
		return -1;
	if ((con->in = linebuf_new(PROTO_MAXLINE, PROTO_MAXLINE, 0)) == NULL ||
	    loop_add(srv->loop, STDIN_FILENO, LOOP_READ, console_read,
	    srv) == -1) {
		linebuf_free(con->in);
		free(con);
		return -1;
	}
	srv->console = con;
	srv->stdin_open = 1;
	return 0;
}

void
console_stop(struct server *srv)
{
	if (srv->stdin_open)
		loop_del(srv->loop, STDIN_FILENO);
	srv->stdin_open = 0;
	if (srv->console != NULL) {
		linebuf_free(srv->console->in);
		free(srv->console);
		srv->console = NULL;
	}
}

static void
console_read(int fd, int ready, void *arg)
{
	struct server	*srv = arg;
	struct console	*con = srv->console;
	char		*p, *line;
	size_t		 avail, len;
	ssize_t		 n;
	int		 r;

	(void)ready;
	if ((p = linebuf_space(con->in, &avail)) == NULL || avail == 0)
		return;
	/* select() said readable: one read() does not block. */
	if ((n = read(fd, p, avail)) == -1 && (errno == EINTR ||
	    errno == EAGAIN))
		return;
	if (n <= 0) {
		/* EOF only stops the console; the server keeps running. */
		log_info("console: end of input");
		loop_del(srv->loop, fd);
		srv->stdin_open = 0;
		return;
	}
	linebuf_commit(con->in, (size_t)n);
	while (srv->console != NULL &&
	    (r = linebuf_next(con->in, &line, &len)) != LINEBUF_NONE) {
		if (r == LINEBUF_LINE)
			console_line(srv, line, len, stdout);
	}
	fflush(stdout);
}

void
console_line(struct server *srv, const char *line, size_t len, FILE *out)
{
	struct input	 in;

	proto_parse_input(line, len, &in);
	if (in.kind == INPUT_EMPTY)
		return;
	if (in.kind == INPUT_MESSAGE) {
		chat_announce(srv, in.text, in.textlen);
		return;
	}
	if (proto_is_command(&in, "who"))
		console_who(srv, out);
	else if (proto_is_command(&in, "kick"))
		console_kick(srv, in.text, in.textlen, out);
	else if (proto_is_command(&in, "shutdown"))
		chat_shutdown(srv);
	else
		fprintf(out, "console: unknown command (commands: /who, "
		    "/kick NICK [REASON], /shutdown; other text is "
		    "announced)\n");
}

/* Lists every room with its members. */
static void
console_who(struct server *srv, FILE *out)
{
	struct room	*r;
	struct conn	*c;

	fprintf(out, "%d user%s online\n", srv->nusers,
	    srv->nusers == 1 ? "" : "s");
	for (r = srv->rooms; r != NULL; r = room_next(r)) {
		fprintf(out, "%s (%d):", room_name(r), room_count(r));
		for (c = room_members(r); c != NULL; c = c->room_next)
			fprintf(out, " %s", c->nick);
		fputc('\n', out);
	}
}

static void
console_kick(struct server *srv, const char *args, size_t len, FILE *out)
{
	struct conn	*c;
	const char	*w, *rest;
	size_t		 wl, n;
	char		 reason[256];

	rest = proto_word(args, len, &w, &wl);
	if (wl == 0) {
		fprintf(out, "console: usage: /kick NICK [REASON]\n");
		return;
	}
	if ((c = chat_find(srv, w, wl)) == NULL) {
		fprintf(out, "console: no such nick: %.*s\n",
		    (int)(wl > 32 ? 32 : wl), w);
		return;
	}
	n = text_clean(rest, (size_t)(args + len - rest), srv->clean);
	n = text_prefix(srv->clean, n, 200);
	snprintf(reason, sizeof reason, "kicked%s%.*s", n > 0 ? ": " : "",
	    (int)n, srv->clean);
	log_info("console: kicked %s", c->nick);
	fprintf(out, "console: kicked %s\n", c->nick);
	chat_leave(c, reason, 1);
	conn_linger(c, "kicked");
}
