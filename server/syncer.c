/*
 * syncer.c: fdatasync() in a thread of its own, so that the loop keeps
 * reading, storing and sending while the disk catches up: the loop asks
 * with a number, the thread syncs once for every number asked since its
 * last sync, and writes a byte to a pipe when it is done.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syncer.h"

struct syncer {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 asked;		/* the thread waits on it */
	pthread_cond_t	 synced;	/* syncer_wait() waits on it */
	char		*path;
	int		 fd;		/* the file, once it exists */
	int		 pipe[2];	/* thread -> loop */
	uint64_t	 want;		/* the highest asked */
	uint64_t	 done;		/* the highest on disk */
	int		 err;		/* errno of a failed sync, or 0 */
	int		 stop;
};

static void	*syncer_main(void *);
static void	 ask(struct syncer *, uint64_t);
static int	 sync_file(struct syncer *);

struct syncer *
syncer_new(const char *path)
{
	struct syncer	*s;
	int		 i;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->fd = -1;
	if ((s->path = strdup(path)) == NULL || pipe(s->pipe) == -1) {
		free(s->path);
		free(s);
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		(void)fcntl(s->pipe[i], F_SETFL, O_NONBLOCK);
		(void)fcntl(s->pipe[i], F_SETFD, FD_CLOEXEC);
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->asked, NULL);
	pthread_cond_init(&s->synced, NULL);
	if (pthread_create(&s->thread, NULL, syncer_main, s) != 0) {
		close(s->pipe[0]);
		close(s->pipe[1]);
		free(s->path);
		free(s);
		return NULL;
	}
	return s;
}

void
syncer_free(struct syncer *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->asked);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->asked);
	pthread_cond_destroy(&s->synced);
	if (s->fd != -1)
		close(s->fd);
	close(s->pipe[0]);
	close(s->pipe[1]);
	free(s->path);
	free(s);
}

/* With the lock held: wakes the thread for n if it is new. */
static void
ask(struct syncer *s, uint64_t n)
{
	if (n > s->want) {
		s->want = n;
		pthread_cond_signal(&s->asked);
	}
}

void
syncer_request(struct syncer *s, uint64_t n)
{
	pthread_mutex_lock(&s->lock);
	ask(s, n);
	pthread_mutex_unlock(&s->lock);
}

uint64_t
syncer_done(struct syncer *s)
{
	uint64_t	n;

	pthread_mutex_lock(&s->lock);
	n = s->done;
	pthread_mutex_unlock(&s->lock);
	return n;
}

int
syncer_failed(struct syncer *s, int *err)
{
	int	e;

	pthread_mutex_lock(&s->lock);
	e = s->err;
	pthread_mutex_unlock(&s->lock);
	if (e == 0)
		return 0;
	*err = e;
	return -1;
}

void
syncer_wait(struct syncer *s, uint64_t n)
{
	pthread_mutex_lock(&s->lock);
	ask(s, n);
	while (s->done < n && s->err == 0)
		pthread_cond_wait(&s->synced, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

int
syncer_fd(const struct syncer *s)
{
	return s->pipe[0];
}

void
syncer_drain(struct syncer *s)
{
	char	buf[64];

	while (read(s->pipe[0], buf, sizeof(buf)) > 0)
		;
}

/* One sync at a time, for everything asked before it began. */
static void *
syncer_main(void *arg)
{
	struct syncer	*s = arg;
	uint64_t	 n;
	int		 err;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->stop && s->want <= s->done && s->err == 0)
			pthread_cond_wait(&s->asked, &s->lock);
		if (s->stop || s->err != 0)
			break;
		n = s->want;
		pthread_mutex_unlock(&s->lock);
		err = sync_file(s) == -1 ? errno : 0;
		pthread_mutex_lock(&s->lock);
		if (err != 0)
			s->err = err;
		else
			s->done = n;
		pthread_cond_broadcast(&s->synced);
		/* A full pipe has a wakeup in it already. */
		if (write(s->pipe[1], "", 1) == -1 && errno != EAGAIN)
			s->err = errno;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/*
 * Any descriptor of the file will do: a sync is of the file's data.  At
 * the first, the directory too, which holds the file's name.
 */
static int
sync_file(struct syncer *s)
{
	char	*slash;
	int	 dfd, rc;

	if (s->fd == -1) {
		if ((s->fd = open(s->path, O_RDONLY | O_CLOEXEC)) == -1)
			return -1;
		if ((slash = strrchr(s->path, '/')) != NULL)
			*slash = '\0';
		dfd = open(slash == NULL ? "." : slash == s->path ? "/" :
		    s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (slash != NULL)
			*slash = '/';
		if (dfd == -1)
			return -1;
		rc = fsync(dfd);
		close(dfd);
		if (rc == -1)
			return -1;
	}
	return fdatasync(s->fd);
}
