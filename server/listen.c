/*
 * listen.c: listening sockets.  Each turn takes a bounded number of
 * connections per socket; out of descriptors, accepting pauses instead
 * of spinning; a refused connection is told why, its output ended, and
 * its input read until it closes, so that the reset of an unread close
 * does not destroy the line before the peer reads it.
 */
#include <sys/socket.h>
#include <sys/select.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"
#include "log.h"
#include "loop.h"
#include "net.h"

#define LISTEN_MAX	8	/* sockets: one per address family and so on */
#define LISTEN_ACCEPTS	64	/* accepts per socket and turn, to stay fair */
#define LISTEN_PAUSE_MS	1000	/* accept pause after EMFILE */
#define REFUSE_MAX	32	/* refused connections draining at once */
#define REFUSE_MS	1000	/* longest drain of a refused connection */

struct refusal {
	int		 fd;
	uint64_t	 until;
};

struct listener {
	struct loop		*loop;
	int			 fds[LISTEN_MAX];
	int			 nfds;
	struct loop_timer	 pause_timer;
	const char		*refuse;
	size_t			 refuselen;
	listen_cb		*cb;
	void			*arg;
	struct refusal		 ref[REFUSE_MAX];
	int			 nref;
	int			 maxref;
	struct loop_timer	 ref_timer;
};

static void	listen_accept(int, int, void *);
static void	listen_pause(struct listener *);
static void	listen_unpause(void *);
static void	refuse(struct listener *, int, const char *);
static void	refuse_read(int, int, void *);
static void	refuse_end(struct listener *, int);
static void	refuse_sweep(void *);

struct listener *
listen_open(struct loop *loop, const char *host, const char *port,
    const char *refuse, listen_cb *cb, void *arg, char *err)
{
	struct listener	*l;
	int		 i;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, NET_ERRLEN, "out of memory");
		return NULL;
	}
	l->loop = loop;
	l->refuse = refuse;
	l->refuselen = strlen(refuse);
	l->cb = cb;
	l->arg = arg;
	if ((l->nfds = net_listen(host, port, l->fds, LISTEN_MAX, err)) <= 0) {
		free(l);
		return NULL;
	}
	for (i = 0; i < l->nfds; i++) {
		if (loop_add(loop, l->fds[i], LOOP_READ, listen_accept,
		    l) == -1) {
			snprintf(err, NET_ERRLEN, "cannot watch a listening "
			    "socket: %s", strerror(errno));
			listen_free(l);
			return NULL;
		}
	}
	return l;
}

void
listen_set_waiting(struct listener *l, int n)
{
	l->maxref = n < 0 ? 0 : n > REFUSE_MAX ? REFUSE_MAX : n;
}

void
listen_log(const struct listener *l)
{
	char	addr[NET_ADDRLEN];
	int	i;

	for (i = 0; i < l->nfds; i++) {
		net_local_str(l->fds[i], addr, sizeof(addr));
		log_notice("listening on %s", addr);
	}
}

void
listen_stop(struct listener *l)
{
	int	i;

	for (i = 0; i < l->nfds; i++) {
		loop_del(l->loop, l->fds[i]);
		close(l->fds[i]);
	}
	l->nfds = 0;
	loop_timer_cancel(l->loop, &l->pause_timer);
}

void
listen_free(struct listener *l)
{
	if (l == NULL)
		return;
	listen_stop(l);
	while (l->nref > 0)
		refuse_end(l, l->ref[0].fd);
	loop_timer_cancel(l->loop, &l->ref_timer);
	free(l);
}

static void
listen_accept(int lfd, int ready, void *arg)
{
	struct listener		*l = arg;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 addr[NET_ADDRLEN];
	int			 fd, n, r;

	(void)ready;
	for (n = 0; n < LISTEN_ACCEPTS; n++) {
		sslen = sizeof(ss);
		if ((fd = accept(lfd, (struct sockaddr *)&ss, &sslen)) == -1) {
			if (errno == EMFILE || errno == ENFILE) {
				log_warn("accept");
				listen_pause(l);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		net_addr_str((struct sockaddr *)&ss, sslen, addr, sizeof(addr));
		if (net_nonblock(fd) == -1) {
			log_warn("accept: %s", addr);
			close(fd);
			continue;
		}
		/* select() cannot watch it: it cannot be served. */
		r = fd >= FD_SETSIZE ? 1 : l->cb(l->arg, fd, addr);
		if (r == 1) {
			log_info("refused a connection: server full");
			refuse(l, fd, addr);
		}
	}
}

/* Out of descriptors: stop accepting for a while rather than spin. */
static void
listen_pause(struct listener *l)
{
	int	i;

	for (i = 0; i < l->nfds; i++)
		loop_set(l->loop, l->fds[i], 0);
	loop_timer_set(l->loop, &l->pause_timer, LISTEN_PAUSE_MS,
	    listen_unpause, l);
}

static void
listen_unpause(void *arg)
{
	struct listener	*l = arg;
	int		 i;

	for (i = 0; i < l->nfds; i++)
		loop_set(l->loop, l->fds[i], LOOP_READ);
}

/*
 * Says why, ends the output and drains the input until the peer closes
 * or REFUSE_MS pass; one read and close when no more may wait.
 */
static void
refuse(struct listener *l, int fd, const char *addr)
{
	char	buf[4096];
	ssize_t	n;

	/* If even this does not fit, the close says enough. */
	n = send(fd, l->refuse, l->refuselen, MSG_NOSIGNAL);
	(void)n;
	shutdown(fd, SHUT_WR);
	if (l->nref >= l->maxref || fd >= FD_SETSIZE ||
	    loop_add(l->loop, fd, LOOP_READ, refuse_read, l) == -1) {
		log_debug("refused %s without waiting", addr);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		return;
	}
	l->ref[l->nref].fd = fd;
	l->ref[l->nref++].until = loop_now(l->loop) + REFUSE_MS;
	if (l->nref == 1)
		loop_timer_set(l->loop, &l->ref_timer, REFUSE_MS, refuse_sweep,
		    l);
}

static void
refuse_read(int fd, int ready, void *arg)
{
	struct listener	*l = arg;
	char		 buf[4096];
	ssize_t		 n;

	(void)ready;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR))
		refuse_end(l, fd);
}

static void
refuse_end(struct listener *l, int fd)
{
	int	i;

	for (i = 0; i < l->nref && l->ref[i].fd != fd; i++)
		;
	if (i == l->nref)
		return;
	loop_del(l->loop, fd);
	close(fd);
	l->ref[i] = l->ref[--l->nref];
}

/* Closes the refusals whose time is up. */
static void
refuse_sweep(void *arg)
{
	struct listener	*l = arg;
	uint64_t	 now = loop_now(l->loop);
	int		 i;

	for (i = 0; i < l->nref; ) {
		if (now >= l->ref[i].until)
			refuse_end(l, l->ref[i].fd);
		else
			i++;
	}
	if (l->nref > 0)
		loop_timer_set(l->loop, &l->ref_timer, REFUSE_MS / 4,
		    refuse_sweep, l);
}
