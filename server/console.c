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
#include "console.h"
#include "linebuf.h"
#include "log.h"
#include "loop.h"
#include "proto.h"
#include "room.h"
#include "text.h"

#define CONSOLE_WHO	65536	/* bytes of one room's member list */

struct console {
	struct loop	*loop;
	struct chat	*chat;
	struct linebuf	*in;
	int		 watching;
	void		(*shutdown)(void *);
	void		*arg;
};

static void	console_read(int, int, void *);
static void	console_line(struct console *, const char *, size_t);
static void	console_who(struct console *);
static void	console_kick(struct console *, const char *, size_t);

struct console *
console_new(struct loop *loop, struct chat *chat, void (*shutdown)(void *),
    void *arg)
{
	struct console	*con;

	if ((con = calloc(1, sizeof(*con))) == NULL)
		return NULL;
	con->loop = loop;
	con->chat = chat;
	con->shutdown = shutdown;
	con->arg = arg;
	if (fcntl(STDIN_FILENO, F_GETFD) == -1)
		return con;		/* no stdin: nothing to watch */
	if ((con->in = linebuf_new(PROTO_MAXLINE, PROTO_MAXLINE, 0)) == NULL ||
	    loop_add(loop, STDIN_FILENO, LOOP_READ, console_read, con) == -1) {
		console_free(con);
		return NULL;
	}
	con->watching = 1;
	return con;
}

void
console_stop(struct console *con)
{
	if (con != NULL && con->watching)
		loop_del(con->loop, STDIN_FILENO);
	if (con != NULL)
		con->watching = 0;
}

void
console_free(struct console *con)
{
	if (con == NULL)
		return;
	console_stop(con);
	linebuf_free(con->in);
	free(con);
}

static void
console_read(int fd, int ready, void *arg)
{
	struct console	*con = arg;
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
		console_stop(con);
		return;
	}
	linebuf_commit(con->in, (size_t)n);
	while (con->watching &&
	    (r = linebuf_next(con->in, &line, &len)) != LINEBUF_NONE) {
		if (r == LINEBUF_LINE)
			console_line(con, line, len);
	}
	fflush(stdout);
}

/* Carries out one console line; replies go to stdout. */
static void
console_line(struct console *con, const char *line, size_t len)
{
	struct input	 in;

	proto_parse_input(line, len, &in);
	if (in.kind == INPUT_EMPTY)
		return;
	if (in.kind == INPUT_MESSAGE) {
		chat_announce(con->chat, in.text, in.textlen);
		return;
	}
	if (proto_is_command(&in, "who"))
		console_who(con);
	else if (proto_is_command(&in, "kick"))
		console_kick(con, in.text, in.textlen);
	else if (proto_is_command(&in, "shutdown"))
		con->shutdown(con->arg);
	else
		printf("console: unknown command (commands: /who, "
		    "/kick NICK [REASON], /shutdown; other text is "
		    "announced)\n");
}

/* Lists every room with its members. */
static void
console_who(struct console *con)
{
	static char	 buf[CONSOLE_WHO];
	struct room	*r;
	int		 n = chat_nusers(con->chat);

	printf("%d user%s online\n", n, n == 1 ? "" : "s");
	for (r = rooms_first(chat_rooms(con->chat)); r != NULL;
	    r = room_next(r)) {
		room_who(r, buf, sizeof(buf));
		printf("%s (%d):%s%s\n", room_name(r), room_count(r),
		    buf[0] != '\0' ? " " : "", buf);
	}
}

static void
console_kick(struct console *con, const char *args, size_t len)
{
	struct user	*u;
	const char	*w, *rest;
	size_t		 wl, n;
	char		 clean[TEXT_CLEAN_MAX(PROTO_MAXLINE)], reason[256];

	rest = proto_word(args, len, &w, &wl);
	if (wl == 0) {
		printf("console: usage: /kick NICK [REASON]\n");
		return;
	}
	if ((u = chat_find(con->chat, w, wl)) == NULL) {
		printf("console: no such nick: %.*s\n", (int)(wl > 32 ? 32 :
		    wl), w);
		return;
	}
	n = text_clean(rest, (size_t)(args + len - rest), clean);
	n = text_prefix(clean, n, 200);
	snprintf(reason, sizeof(reason), "kicked%s%.*s", n > 0 ? ": " : "",
	    (int)n, clean);
	log_info("console: kicked %s", user_nick(u));
	printf("console: kicked %s\n", user_nick(u));
	chat_kick(u, reason);
}
