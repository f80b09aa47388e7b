/*
 * backoff.h: the reconnect schedule: 1 s doubling to 30 s, with jitter.
 */
#ifndef BACKOFF_H
#define BACKOFF_H

#include <stdint.h>

#define BACKOFF_MIN_MS	1000
#define BACKOFF_MAX_MS	30000

struct backoff {
	unsigned	attempt;
};

/*
 * The wait before the next attempt, in ms: base = min(1 s << attempt,
 * 30 s), then jitter of up to 20 % either way from rnd (any 32-bit
 * value), never above 30 s.  Counts the attempt.
 */
unsigned	backoff_next(struct backoff *, uint32_t rnd);
void		backoff_reset(struct backoff *);

#endif /* BACKOFF_H */
