/*
 * clock.h: the one clock of both programs: monotonic time for timers and
 * budgets, wall time for what people read.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

/* Monotonic milliseconds, from an arbitrary start. */
int64_t	clock_ms(void);
/* Monotonic microseconds: a token bucket refilled from milliseconds
 * would refill up to a millisecond early. */
int64_t	clock_us(void);
/* Milliseconds since 1970 UTC. */
int64_t	clock_wall_ms(void);

#endif /* CLOCK_H */
