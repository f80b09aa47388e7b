/*
 * backoff.c: the wait before each reconnect attempt: 1 s doubling to
 * 30 s, spread by jitter so that clients of a restarted server do not
 * all come back in the same instant.
 */
#include "backoff.h"

#define BACKOFF_JITTER	5	/* up to 1/5 of the base either way */

unsigned
backoff_next(struct backoff *b, uint32_t rnd)
{
	unsigned	 base = BACKOFF_MAX_MS, span, ms;

	if (b->attempt < 16 && (BACKOFF_MIN_MS << b->attempt) < BACKOFF_MAX_MS)
		base = BACKOFF_MIN_MS << b->attempt;
	span = base / BACKOFF_JITTER;
	ms = base - span + rnd % (2 * span + 1);
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	if (b->attempt < 16)
		b->attempt++;
	return ms;
}

void
backoff_reset(struct backoff *b)
{
	b->attempt = 0;
}
