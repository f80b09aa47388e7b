/*
 * lineq.c: one queue of typed lines in the order they were typed: the
 * oldest are queued on the link (each with the stream offset where it
 * ends), the rest are held.  Moving a line from held to queued, or back
 * after a lost link, only moves the boundary; no line is copied.
 */
#include <stdlib.h>
#include <string.h>

#include "lineq.h"

/* A typed line; end is where it ends in the link's stream, once queued. */
struct qline {
	char		*s;
	size_t		 len;
	uint64_t	 end;
};

struct lineq {
	struct qline	*v;
	size_t		 head;		/* the oldest line */
	size_t		 n;		/* lines from head */
	size_t		 nqueued;	/* of those, queued on the link */
	size_t		 cap;
};

static int	 grow(struct lineq *);
static void	 pop(struct lineq *);

struct lineq *
lineq_new(void)
{
	return calloc(1, sizeof(struct lineq));
}

void
lineq_free(struct lineq *q)
{
	if (q == NULL)
		return;
	while (q->n > 0)
		pop(q);
	free(q->v);
	free(q);
}

int
lineq_hold(struct lineq *q, const char *line, size_t len)
{
	char	*copy;

	if (q->head + q->n == q->cap && grow(q) == -1)
		return -1;
	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, line, len);
	copy[len] = '\0';
	q->v[q->head + q->n++] = (struct qline){ copy, len, 0 };
	return 0;
}

size_t
lineq_nheld(const struct lineq *q)
{
	return q->n - q->nqueued;
}

const char *
lineq_held(const struct lineq *q, size_t i, size_t *len)
{
	const struct qline	*l;

	if (i >= q->n - q->nqueued)
		return NULL;
	l = &q->v[q->head + q->nqueued + i];
	if (len != NULL)
		*len = l->len;
	return l->s;
}

void
lineq_move(struct lineq *q, uint64_t end)
{
	if (q->nqueued == q->n)
		return;
	q->v[q->head + q->nqueued++].end = end;
}

void
lineq_written(struct lineq *q, uint64_t written)
{
	while (q->nqueued > 0 && q->v[q->head].end <= written) {
		pop(q);
		q->nqueued--;
	}
}

void
lineq_lost(struct lineq *q, uint64_t written)
{
	lineq_written(q, written);
	q->nqueued = 0;
}

/*
 * Makes room for one more line at the end: slides the lines down when
 * at least as many slots are free in front (so each slide is paid for by
 * as many pops), or doubles the array.
 */
static int
grow(struct lineq *q)
{
	struct qline	*v;
	size_t		 cap;

	if (q->head > 0 && q->head >= q->n) {
		memmove(q->v, q->v + q->head, q->n * sizeof(*q->v));
		q->head = 0;
		return 0;
	}
	cap = q->cap ? q->cap * 2 : 16;
	if ((v = realloc(q->v, cap * sizeof(*v))) == NULL)
		return -1;
	q->v = v;
	q->cap = cap;
	return 0;
}

/* Drops the oldest line. */
static void
pop(struct lineq *q)
{
	free(q->v[q->head].s);
	q->head++;
	if (--q->n == 0)
		q->head = 0;
}
