/*
 * store_mem.c: history in memory: a ring of the last keep messages per
 * room, whose storage is reused as the ring turns; a room's history and
 * epoch last as long as the room is open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "store.h"

struct mem_msg {
	uint64_t	 id;
	int64_t		 ts;
	enum frame_kind	 kind;
	char		 nick[PROTO_NICKMAX + 1];
	char		*text;		/* reused as the ring turns */
	size_t		 len, cap;
};

struct mem_room {
	struct store_room	 r;
	uint64_t		 epoch;
	uint64_t		 last;
	struct mem_msg		*ring;	/* keep entries, made at first use */
	unsigned		 n, start;
};

struct mem_store {
	struct store		 s;
	unsigned		 keep;
	uint64_t		 last_epoch;
};

static struct store_room *mem_open(struct store *, const char *);
static void		 mem_close(struct store_room *);
static uint64_t		 mem_epoch(const struct store_room *);
static uint64_t		 mem_last(const struct store_room *);
static uint64_t		 mem_first(const struct store_room *);
static uint64_t		 mem_append(struct store_room *,
			    const struct store_msg *);
static size_t		 mem_read(struct store_room *, uint64_t,
			    struct store_msg *, size_t);
static int		 mem_commit(struct store *);
static void		 mem_free(struct store *);

static const struct store_ops mem_ops = {
	mem_open, mem_close, mem_epoch, mem_last, mem_first, mem_append,
	mem_read, mem_commit, mem_free
};

struct store *
store_mem_new(unsigned keep)
{
	struct mem_store	*ms;

	if ((ms = calloc(1, sizeof(*ms))) == NULL)
		return NULL;
	ms->s.ops = &mem_ops;
	ms->keep = keep;
	return &ms->s;
}

static void
mem_free(struct store *st)
{
	free(st);
}

/* Nothing to make durable: memory is all it has. */
static int
mem_commit(struct store *st)
{
	(void)st;
	return 0;
}

static struct store_room *
mem_open(struct store *st, const char *room)
{
	struct mem_store	*ms = (struct mem_store *)st;
	struct mem_room		*mr;
	uint64_t		 epoch;

	(void)room;
	if ((mr = calloc(1, sizeof(*mr))) == NULL)
		return NULL;
	mr->r.store = st;
	/* An epoch tells a recreated room from a gap: never reuse one. */
	epoch = (uint64_t)clock_wall_ms();
	if (epoch <= ms->last_epoch)
		epoch = ms->last_epoch + 1;
	ms->last_epoch = mr->epoch = epoch;
	return &mr->r;
}

static void
mem_close(struct store_room *r)
{
	struct mem_room		*mr = (struct mem_room *)r;
	struct mem_store	*ms = (struct mem_store *)r->store;
	unsigned		 i;

	if (mr->ring != NULL) {
		for (i = 0; i < ms->keep; i++)
			free(mr->ring[i].text);
		free(mr->ring);
	}
	free(mr);
}

static uint64_t
mem_epoch(const struct store_room *r)
{
	return ((const struct mem_room *)r)->epoch;
}

static uint64_t
mem_last(const struct store_room *r)
{
	return ((const struct mem_room *)r)->last;
}

static uint64_t
mem_first(const struct store_room *r)
{
	const struct mem_room	*mr = (const struct mem_room *)r;

	return mr->n > 0 ? mr->ring[mr->start].id : mr->last + 1;
}

/*
 * The id is given whatever happens: out of memory, the message is kept
 * without its text rather than leave a hole in the ids.
 */
static uint64_t
mem_append(struct store_room *r, const struct store_msg *m)
{
	struct mem_room		*mr = (struct mem_room *)r;
	unsigned		 keep = ((struct mem_store *)r->store)->keep;
	struct mem_msg		*h;
	char			*p;

	mr->last++;
	if (keep == 0 || (mr->ring == NULL &&
	    (mr->ring = calloc(keep, sizeof(*h))) == NULL))
		return mr->last;
	if (mr->n < keep)
		h = &mr->ring[(mr->start + mr->n++) % keep];
	else {
		h = &mr->ring[mr->start];
		mr->start = (mr->start + 1) % keep;
	}
	h->len = 0;
	if (h->cap < m->textlen + 1 &&
	    (p = realloc(h->text, m->textlen + 1)) != NULL) {
		h->text = p;
		h->cap = m->textlen + 1;
	}
	if (h->cap >= m->textlen + 1) {
		memcpy(h->text, m->text, m->textlen);
		h->text[m->textlen] = '\0';
		h->len = m->textlen;
	}
	h->id = mr->last;
	h->ts = m->ts;
	h->kind = m->kind;
	snprintf(h->nick, sizeof(h->nick), "%.*s", (int)m->nicklen, m->nick);
	return mr->last;
}

static size_t
mem_read(struct store_room *r, uint64_t after, struct store_msg *out,
    size_t max)
{
	struct mem_room	*mr = (struct mem_room *)r;
	unsigned	 keep = ((struct mem_store *)r->store)->keep;
	uint64_t	 first = mem_first(r);
	size_t		 i, n = 0;
	struct mem_msg	*h;

	if (after >= mr->last)
		return 0;
	/* The ids held are first, first + 1, ... without a hole. */
	i = after + 1 > first ? (size_t)(after + 1 - first) : 0;
	for (; i < mr->n && n < max; i++, n++) {
		h = &mr->ring[(mr->start + i) % keep];
		out[n].id = h->id;
		out[n].ts = h->ts;
		out[n].kind = h->kind;
		out[n].nick = h->nick;
		out[n].nicklen = strlen(h->nick);
		out[n].text = h->text != NULL ? h->text : "";
		out[n].textlen = h->len;
	}
	return n;
}
