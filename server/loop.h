/*
 * loop.h: a select() event loop of descriptors, masks and timers; it
 * knows nothing of what the descriptors carry.
 */
#ifndef LOOP_H
#define LOOP_H

#include <stdint.h>

#define LOOP_READ	0x01
#define LOOP_WRITE	0x02

struct loop;

/* Called with the descriptor and what it is ready for. */
typedef void	loop_fd_cb(int fd, int ready, void *arg);
typedef void	loop_cb(void *arg);

/*
 * A timer lives in its owner's memory (no allocation); zero it before
 * first use.
 */
struct loop_timer {
	uint64_t		 when;		/* monotonic ms */
	loop_cb			*cb;
	void			*arg;
	struct loop_timer	*prev, *next;
	int			 armed;
};

struct loop	*loop_new(void);
void		 loop_free(struct loop *);

/*
 * Watches fd for mask (LOOP_READ, LOOP_WRITE, or 0 for nothing yet);
 * -1 with ERANGE if fd cannot go in an fd_set, EEXIST if already added.
 */
int		 loop_add(struct loop *, int fd, int mask, loop_fd_cb *,
		    void *arg);
/* Stops watching fd; the caller closes it. */
void		 loop_del(struct loop *, int fd);
/* Sets what fd is watched for. */
void		 loop_set(struct loop *, int fd, int mask);

/* Arms t to call cb(arg) ms milliseconds from now, re-arming if armed. */
void		 loop_timer_set(struct loop *, struct loop_timer *,
		    uint64_t ms, loop_cb *, void *arg);
void		 loop_timer_cancel(struct loop *, struct loop_timer *);

/* Calls cb(arg) before each wait, to flush output and reap. */
void		 loop_before(struct loop *, loop_cb *, void *arg);

/* Monotonic milliseconds (clock_ms()), as of the start of this turn. */
uint64_t	 loop_now(const struct loop *);

/* One turn: the before hook, a wait, the ready callbacks, the timers. */
int		 loop_once(struct loop *);
/* Turns until loop_stop(); -1 on a select() error other than EINTR. */
int		 loop_run(struct loop *);
void		 loop_stop(struct loop *);

#endif /* LOOP_H */
