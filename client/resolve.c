/*
 * resolve.c: getaddrinfo() in a detached thread, so that a slow name
 * server never stalls the poll() loop.  The caller and the thread share
 * the request, and whichever lets go last frees it: a caller that gives
 * up never waits, and the thread never touches freed memory.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolve.h"

struct resolve {
	pthread_mutex_t	 lock;		/* guards what follows */
	int		 refs;		/* the caller's and the thread's */
	int		 done;
	int		 error;		/* getaddrinfo()'s result */
	int		 syserr;	/* errno, for EAI_SYSTEM */
	struct addrinfo	*res;		/* until the caller takes it */

	int		 fds[2];	/* readable once done */
	char		*host;		/* read-only while the thread runs */
	char		*port;
};

static void	*lookup(void *);
static int	 spawn(struct resolve *);
static void	 release(struct resolve *);
static void	 destroy(struct resolve *);

struct resolve *
resolve_start(const char *host, const char *port)
{
	struct resolve	*r;
	int		 e, i;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->fds[0] = r->fds[1] = -1;
	if ((e = pthread_mutex_init(&r->lock, NULL)) != 0) {
		free(r);
		errno = e;
		return NULL;
	}
	if ((r->host = strdup(host)) == NULL ||
	    (r->port = strdup(port)) == NULL || pipe(r->fds) == -1)
		goto fail;
	for (i = 0; i < 2; i++)
		if (fcntl(r->fds[i], F_SETFD, FD_CLOEXEC) == -1)
			goto fail;
	if ((e = spawn(r)) != 0) {
		errno = e;
		goto fail;
	}
	return r;
fail:
	e = errno;
	destroy(r);
	errno = e;
	return NULL;
}

int
resolve_fd(const struct resolve *r)
{
	return r->fds[0];
}

int
resolve_result(struct resolve *r, struct addrinfo **res, const char **why)
{
	int	done, error, syserr;

	pthread_mutex_lock(&r->lock);
	done = r->done;
	error = r->error;
	syserr = r->syserr;
	*res = r->res;
	r->res = NULL;
	pthread_mutex_unlock(&r->lock);
	if (!done)
		return 1;
	if (error == 0)
		return 0;
	*why = error == EAI_SYSTEM ? strerror(syserr) : gai_strerror(error);
	return -1;
}

void
resolve_free(struct resolve *r)
{
	if (r != NULL)
		release(r);
}

/*
 * Starts the detached thread with every signal blocked, so that signals
 * keep going to the loop's thread; returns 0 or an error number.
 */
static int
spawn(struct resolve *r)
{
	pthread_attr_t	 attr;
	pthread_t	 tid;
	sigset_t	 all, old;
	int		 e;

	if ((e = pthread_attr_init(&attr)) != 0)
		return e;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r->refs = 2;
	if ((e = pthread_attr_setdetachstate(&attr,
	    PTHREAD_CREATE_DETACHED)) == 0)
		e = pthread_create(&tid, &attr, lookup, r);
	if (e != 0)
		r->refs = 1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return e;
}

/* The thread: one lookup, its result under the lock, then a byte. */
static void *
lookup(void *arg)
{
	struct resolve	*r = arg;
	struct addrinfo	 hints, *res = NULL;
	ssize_t		 n;
	int		 e, syserr;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	e = getaddrinfo(r->host, r->port, &hints, &res);
	syserr = errno;
	pthread_mutex_lock(&r->lock);
	r->res = e == 0 ? res : NULL;
	r->error = e;
	r->syserr = syserr;
	r->done = 1;
	pthread_mutex_unlock(&r->lock);
	/* The pipe is empty: one byte always fits, and is never read. */
	do
		n = write(r->fds[1], "", 1);
	while (n == -1 && errno == EINTR);
	release(r);
	return NULL;
}

/* Drops one reference; the last one frees the request. */
static void
release(struct resolve *r)
{
	int	last;

	pthread_mutex_lock(&r->lock);
	last = --r->refs == 0;
	pthread_mutex_unlock(&r->lock);
	if (last)
		destroy(r);
}

static void
destroy(struct resolve *r)
{
	int	i;

	if (r->res != NULL)
		freeaddrinfo(r->res);
	for (i = 0; i < 2; i++)
		if (r->fds[i] != -1)
			close(r->fds[i]);
	free(r->host);
	free(r->port);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
