/*
 * hist.c: log-linear latency histogram; a fixed array, so recording one
 * latency is an index computation and an increment.
 */
#include "bench.h"

static unsigned	hist_index(uint64_t);
static uint64_t	hist_upper(unsigned);

void
hist_add(struct hist *h, uint64_t ns)
{
	h->bucket[hist_index(ns)]++;
	h->count++;
	if (ns > h->max)
		h->max = ns;
}

uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t	 need, seen = 0, v;
	unsigned	 i;

	if (h->count == 0)
		return 0;
	need = (uint64_t)(q * (double)h->count);
	if (need == 0)
		need = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= need)
			break;
	}
	/* The bucket's upper edge, but never beyond the largest value. */
	v = hist_upper(i < HIST_BUCKETS ? i : HIST_BUCKETS - 1);
	return v < h->max ? v : h->max;
}

/* Values below HIST_LINEAR are exact; above, 2^HIST_SUB_BITS per octave. */
static unsigned
hist_index(uint64_t v)
{
	unsigned	 e, i;

	if (v < HIST_LINEAR)
		return (unsigned)v;
	e = 63 - (unsigned)__builtin_clzll(v);	/* v >= 64, so e >= 6 */
	i = HIST_LINEAR + (e - (HIST_SUB_BITS + 1)) * HIST_SUB +
	    (unsigned)((v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1));
	return i < HIST_BUCKETS ? i : HIST_BUCKETS - 1;
}

static uint64_t
hist_upper(unsigned i)
{
	unsigned	 e, sub;

	if (i < HIST_LINEAR)
		return i;
	e = (i - HIST_LINEAR) / HIST_SUB + HIST_SUB_BITS + 1;
	sub = (i - HIST_LINEAR) % HIST_SUB;
	return ((uint64_t)(HIST_SUB + sub + 1) << (e - HIST_SUB_BITS)) - 1;
}
