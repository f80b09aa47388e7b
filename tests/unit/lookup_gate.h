/*
 * lookup_gate.h: for unit suites linked with -Wl,--wrap=getaddrinfo and
 * --wrap=pthread_create: name lookups wait at a gate the test opens,
 * "name.invalid" is unknown without asking a name server, and threads
 * are counted as they end, so a test can wait until none is left that
 * might still touch memory.  Include it in one file of a suite.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GATE_MAX_MS	3000	/* the longest a lookup waits */

int	__real_getaddrinfo(const char *, const char *,
	    const struct addrinfo *, struct addrinfo **);
int	__real_pthread_create(pthread_t *, const pthread_attr_t *,
	    void *(*)(void *), void *);

static atomic_int	gate_fd = -1;		/* lookups wait on it */
static int		gate_w = -1;
static atomic_int	threads_started, threads_ended, lookups;

/* A thread's start routine, and what it was given. */
struct gate_start {
	void	*(*fn)(void *);
	void	*arg;
};

int
__wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	struct pollfd	pfd;

	atomic_fetch_add(&lookups, 1);
	if ((pfd.fd = atomic_load(&gate_fd)) != -1) {
		pfd.events = POLLIN;
		(void)poll(&pfd, 1, GATE_MAX_MS);
	}
	if (node != NULL && strcmp(node, "name.invalid") == 0)
		return EAI_NONAME;
	return __real_getaddrinfo(node, service, hints, res);
}

static void *
gate_trampoline(void *p)
{
	struct gate_start	 st = *(struct gate_start *)p;
	void			*r;

	free(p);
	r = st.fn(st.arg);
	atomic_fetch_add(&threads_ended, 1);
	return r;
}

int
__wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg)
{
	struct gate_start	*st;
	int			 e;

	if ((st = malloc(sizeof(*st))) == NULL)
		return EAGAIN;
	st->fn = fn;
	st->arg = arg;
	atomic_fetch_add(&threads_started, 1);
	if ((e = __real_pthread_create(t, attr, gate_trampoline, st)) != 0) {
		atomic_fetch_sub(&threads_started, 1);
		free(st);
	}
	return e;
}

/* From now on, lookups wait until gate_open(). */
static void
gate_close(void)
{
	int	p[2];

	if (pipe(p) == -1)
		abort();
	gate_w = p[1];
	atomic_store(&gate_fd, p[0]);
}

/* Lets every waiting lookup go on, and later ones pass at once. */
static void
gate_open(void)
{
	if (gate_w != -1 && write(gate_w, "", 1) != 1)
		abort();
}

/* True once every thread started has ended (waiting up to 5 s). */
static int
gate_threads_done(void)
{
	struct timespec	 ts = { 0, 5 * 1000 * 1000 };
	int		 i;

	for (i = 0; i < 1000; i++) {
		if (atomic_load(&threads_ended) ==
		    atomic_load(&threads_started))
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* After gate_threads_done(): the gate is gone, lookups pass at once. */
static void
gate_reset(void)
{
	int	fd = atomic_exchange(&gate_fd, -1);

	if (fd != -1)
		close(fd);
	if (gate_w != -1)
		close(gate_w);
	gate_w = -1;
}
