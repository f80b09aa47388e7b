/*
 * loop.c: select() over descriptors whose fd_sets are kept up to date as
 * masks change, so a turn costs one copy and one scan up to the highest
 * descriptor; timers in a list sorted by deadline.
 */
#include <sys/select.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "loop.h"

struct loop_fd {
	int		 mask;
	int		 added;
	loop_fd_cb	*cb;
	void		*arg;
};

struct loop {
	struct loop_fd		 fds[FD_SETSIZE];
	fd_set			 rset, wset;
	int			 maxfd;		/* highest added, or -1 */
	struct loop_timer	*timers;	/* sorted, earliest first */
	struct loop_timer	*tail;
	loop_cb			*before;
	void			*before_arg;
	uint64_t		 now;
	int			 stop;
};

static void	loop_run_timers(struct loop *);
static void	loop_dispatch(struct loop *, fd_set *, fd_set *, int);

struct loop *
loop_new(void)
{
	struct loop	*l;

	if ((l = calloc(1, sizeof *l)) == NULL)
		return NULL;
	FD_ZERO(&l->rset);
	FD_ZERO(&l->wset);
	l->maxfd = -1;
	l->now = (uint64_t)clock_ms();
	return l;
}

void
loop_free(struct loop *l)
{
	free(l);
}

int
loop_add(struct loop *l, int fd, int mask, loop_fd_cb *cb, void *arg)
{
	if (fd < 0 || fd >= FD_SETSIZE) {
		errno = ERANGE;
		return -1;
	}
	if (l->fds[fd].added) {
		errno = EEXIST;
		return -1;
	}
	l->fds[fd].added = 1;
	l->fds[fd].cb = cb;
	l->fds[fd].arg = arg;
	l->fds[fd].mask = 0;
	if (fd > l->maxfd)
		l->maxfd = fd;
	loop_set(l, fd, mask);
	return 0;
}

void
loop_del(struct loop *l, int fd)
{
	if (fd < 0 || fd >= FD_SETSIZE || !l->fds[fd].added)
		return;
	loop_set(l, fd, 0);
	memset(&l->fds[fd], 0, sizeof l->fds[fd]);
	if (fd == l->maxfd) {
		while (l->maxfd >= 0 && !l->fds[l->maxfd].added)
			l->maxfd--;
	}
}

void
loop_set(struct loop *l, int fd, int mask)
{
	struct loop_fd	*f;

	if (fd < 0 || fd >= FD_SETSIZE || !l->fds[fd].added)
		return;
	f = &l->fds[fd];
	if ((mask & LOOP_READ) && !(f->mask & LOOP_READ))
		FD_SET(fd, &l->rset);
	else if (!(mask & LOOP_READ) && (f->mask & LOOP_READ))
		FD_CLR(fd, &l->rset);
	if ((mask & LOOP_WRITE) && !(f->mask & LOOP_WRITE))
		FD_SET(fd, &l->wset);
	else if (!(mask & LOOP_WRITE) && (f->mask & LOOP_WRITE))
		FD_CLR(fd, &l->wset);
	f->mask = mask;
}

void
loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t ms,
    loop_cb *cb, void *arg)
{
	struct loop_timer	*p;

	loop_timer_cancel(l, t);
	t->when = (uint64_t)clock_ms() + ms;
	t->cb = cb;
	t->arg = arg;
	t->armed = 1;
	/* Deadlines mostly grow, so search from the tail. */
	for (p = l->tail; p != NULL && p->when > t->when; p = p->prev)
		;
	t->prev = p;
	t->next = p != NULL ? p->next : l->timers;
	if (t->next != NULL)
		t->next->prev = t;
	else
		l->tail = t;
	if (p != NULL)
		p->next = t;
	else
		l->timers = t;
}

void
loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	if (!t->armed)
		return;
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		l->timers = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	else
		l->tail = t->prev;
	t->prev = t->next = NULL;
	t->armed = 0;
}

void
loop_before(struct loop *l, loop_cb *cb, void *arg)
{
	l->before = cb;
	l->before_arg = arg;
}

uint64_t
loop_now(const struct loop *l)
{
	return l->now;
}

static void
loop_run_timers(struct loop *l)
{
	struct loop_timer	*t;

	l->now = (uint64_t)clock_ms();
	while ((t = l->timers) != NULL && t->when <= l->now) {
		loop_timer_cancel(l, t);
		t->cb(t->arg);
	}
}

static void
loop_dispatch(struct loop *l, fd_set *r, fd_set *w, int maxfd)
{
	struct loop_fd	*f;
	int		 fd, ready;

	for (fd = 0; fd <= maxfd; fd++) {
		ready = 0;
		if (FD_ISSET(fd, r))
			ready |= LOOP_READ;
		if (FD_ISSET(fd, w))
			ready |= LOOP_WRITE;
		if (ready == 0)
			continue;
		/* An earlier callback may have changed what fd wants. */
		f = &l->fds[fd];
		ready &= f->mask;
		if (f->added && ready != 0)
			f->cb(fd, ready, f->arg);
	}
}

int
loop_once(struct loop *l)
{
	fd_set		 r, w;
	struct timeval	 tv, *tvp = NULL;
	uint64_t	 now;
	int		 n, maxfd;

	if (l->before != NULL)
		l->before(l->before_arg);
	if (l->stop)
		return 0;
	if (l->timers != NULL) {
		now = (uint64_t)clock_ms();
		now = l->timers->when > now ? l->timers->when - now : 0;
		tv.tv_sec = (time_t)(now / 1000);
		tv.tv_usec = (suseconds_t)(now % 1000) * 1000;
		tvp = &tv;
	}
	r = l->rset;
	w = l->wset;
	maxfd = l->maxfd;
	n = select(maxfd + 1, &r, &w, NULL, tvp);
	if (n == -1 && errno != EINTR)
		return -1;
	l->now = (uint64_t)clock_ms();
	if (n > 0)
		loop_dispatch(l, &r, &w, maxfd);
	loop_run_timers(l);
	return 0;
}

int
loop_run(struct loop *l)
{
	l->stop = 0;
	while (!l->stop) {
		if (loop_once(l) == -1)
			return -1;
	}
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->stop = 1;
}
