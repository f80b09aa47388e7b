/*
 * lineq.c: one queue of typed lines in the order they were typed: the
 * oldest are sent on the link (each with the stream offset where it
 * ends), the rest are held.  A sent line is confirmed out of order (a
 * command is written while a message before it waits for its ack), so
 * it is marked, and lines leave from the front once confirmed.  Moving
 * lines from held to sent, or back after a lost link, copies no line.
 */
#include <stdlib.h>
#include <string.h>

#include "lineq.h"

/*
 * A typed line as it goes out: "@TOKEN " and the line as typed, which
 * starts at skip (0 without a token); end is where it ends in the
 * link's stream, once sent.
 */
struct qline {
	char		*s;
	size_t		 len;
	size_t		 skip;
	uint64_t	 end;
	int		 done;		/* confirmed */
};

struct lineq {
	struct qline	*v;
	size_t		 head;		/* the oldest line */
	size_t		 n;		/* lines from head */
	size_t		 nsent;		/* of those, sent on the link */
	size_t		 nwritten;	/* of the sent, known written */
	size_t		 nunacked;	/* lines with a token, not acked */
	size_t		 cap;
};

static int	 add(struct lineq *, const char *, size_t, const char *,
		    size_t);
static void	 drop_done(struct lineq *);
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
	return add(q, NULL, 0, line, len);
}

int
lineq_hold_tagged(struct lineq *q, const char *tok, size_t toklen,
    const char *line, size_t len)
{
	return add(q, tok, toklen, line, len);
}

size_t
lineq_nheld(const struct lineq *q)
{
	return q->n - q->nsent;
}

const char *
lineq_held(const struct lineq *q, size_t i, size_t *len)
{
	const struct qline	*l;

	if (i >= q->n - q->nsent)
		return NULL;
	l = &q->v[q->head + q->nsent + i];
	if (len != NULL)
		*len = l->len - l->skip;
	return l->s + l->skip;
}

const char *
lineq_out(const struct lineq *q, size_t *len)
{
	const struct qline	*l;

	if (q->nsent == q->n)
		return NULL;
	l = &q->v[q->head + q->nsent];
	*len = l->len;
	return l->s;
}

void
lineq_move(struct lineq *q, uint64_t end)
{
	if (q->nsent == q->n)
		return;
	q->v[q->head + q->nsent++].end = end;
}

void
lineq_written(struct lineq *q, uint64_t written)
{
	struct qline	*l;

	while (q->nwritten < q->nsent &&
	    (l = &q->v[q->head + q->nwritten])->end <= written) {
		if (l->skip == 0)
			l->done = 1;
		q->nwritten++;
	}
	drop_done(q);
}

int
lineq_acked(struct lineq *q, const char *tok, size_t toklen)
{
	struct qline	*l;
	size_t		 i;

	/* Acks come in the order sent: the first waiting line, as a rule. */
	for (i = 0; i < q->nsent; i++) {
		l = &q->v[q->head + i];
		if (l->done || l->skip != toklen + 2 ||
		    memcmp(l->s + 1, tok, toklen) != 0)
			continue;
		l->done = 1;
		q->nunacked--;
		drop_done(q);
		return 1;
	}
	return 0;
}

void
lineq_lost(struct lineq *q, uint64_t written)
{
	size_t	 i, j, nheld = q->n - q->nsent;

	lineq_written(q, written);
	if (q->nsent == 0)
		return;
	for (i = j = q->head; i < q->head + q->nsent; i++) {
		if (q->v[i].done)
			free(q->v[i].s);
		else
			q->v[j++] = q->v[i];
	}
	memmove(q->v + j, q->v + q->head + q->nsent, nheld * sizeof(*q->v));
	q->n = j - q->head + nheld;
	q->nsent = q->nwritten = 0;
	if (q->n == 0)
		q->head = 0;
}

size_t
lineq_nkept(const struct lineq *q)
{
	return q->n;
}

size_t
lineq_nunacked(const struct lineq *q)
{
	return q->nunacked;
}

/* Appends "@tok line" (or the line alone); -1 if out of memory. */
static int
add(struct lineq *q, const char *tok, size_t toklen, const char *line,
    size_t len)
{
	char	*copy;
	size_t	 skip = tok != NULL ? toklen + 2 : 0;

	if (q->head + q->n == q->cap && grow(q) == -1)
		return -1;
	if ((copy = malloc(skip + len + 1)) == NULL)
		return -1;
	if (tok != NULL) {
		copy[0] = '@';
		memcpy(copy + 1, tok, toklen);
		copy[toklen + 1] = ' ';
	}
	memcpy(copy + skip, line, len);
	copy[skip + len] = '\0';
	q->v[q->head + q->n++] = (struct qline){ copy, skip + len, skip, 0,
	    0 };
	if (tok != NULL)
		q->nunacked++;
	return 0;
}

/* Lets confirmed lines at the front go. */
static void
drop_done(struct lineq *q)
{
	while (q->nsent > 0 && q->v[q->head].done) {
		pop(q);
		q->nsent--;
		if (q->nwritten > 0)
			q->nwritten--;
	}
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
