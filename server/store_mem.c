/*
 * store_mem.c: history in memory: a ring of the last keep messages per
 * room, whose storage is reused as the ring turns; a room's history and
 * epoch last as long as the room is open.  The tokens of the last
 * STORE_TOKENS lines are in one ring with a hash over it.
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

#define TOKEN_BUCKETS	(STORE_TOKENS * 2)

/* A token and where its line went; next chains a hash bucket. */
struct mem_token {
	char		 token[PROTO_TOKENMAX];
	uint8_t		 len;
	int32_t		 next;		/* index, -1 ends the chain */
	struct store_seen seen;
};

struct mem_room {
	struct store_room	 r;
	char			 name[PROTO_ROOMMAX + 1];
	uint64_t		 epoch;
	uint64_t		 last;
	struct mem_msg		*ring;	/* keep entries, made at first use */
	unsigned		 n, start;
};

struct mem_store {
	struct store		 s;
	unsigned		 keep;
	uint64_t		 last_epoch;
	uint64_t		 ticket;	/* commits so far */
	struct mem_token	*tokens;	/* STORE_TOKENS, made at first use */
	int32_t			*bucket;	/* TOKEN_BUCKETS chain heads */
	unsigned		 ntokens, tnext;
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
static int		 mem_seen(struct store *, const char *, size_t,
			    struct store_seen *);
static int		 mem_commit(struct store *, uint64_t *);
static uint64_t		 mem_synced(struct store *);
static void		 mem_wait(struct store *, uint64_t);
static int		 mem_fd(struct store *);
static void		 mem_maintain(struct store *);
static void		 mem_free(struct store *);
static void		 mem_remember(struct mem_store *, const char *,
			    const struct store_msg *, uint64_t, uint64_t);

static const struct store_ops mem_ops = {
	mem_open, mem_close, mem_epoch, mem_last, mem_first, mem_append,
	mem_read, mem_seen, mem_commit, mem_synced, mem_wait, mem_fd,
	mem_maintain, mem_free
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
	struct mem_store	*ms = (struct mem_store *)st;

	free(ms->tokens);
	free(ms->bucket);
	free(ms);
}

/* Nothing to make durable: memory is all it has. */
static int
mem_commit(struct store *st, uint64_t *ticket)
{
	*ticket = ++((struct mem_store *)st)->ticket;
	return 0;
}

static uint64_t
mem_synced(struct store *st)
{
	return ((struct mem_store *)st)->ticket;
}

static void
mem_wait(struct store *st, uint64_t ticket)
{
	(void)st;
	(void)ticket;
}

static int
mem_fd(struct store *st)
{
	(void)st;
	return -1;
}

static void
mem_maintain(struct store *st)
{
	(void)st;
}

/* FNV-1a: tokens are the client's choice, short and mostly random. */
static uint32_t
token_hash(const char *s, size_t len)
{
	uint32_t	h = 2166136261u;

	while (len-- > 0)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % TOKEN_BUCKETS;
}

static int
mem_seen(struct store *st, const char *token, size_t len,
    struct store_seen *out)
{
	struct mem_store	*ms = (struct mem_store *)st;
	int32_t			 i;

	if (ms->tokens == NULL)
		return 0;
	for (i = ms->bucket[token_hash(token, len)]; i != -1;
	    i = ms->tokens[i].next) {
		if (ms->tokens[i].len == len &&
		    memcmp(ms->tokens[i].token, token, len) == 0) {
			*out = ms->tokens[i].seen;
			return 1;
		}
	}
	return 0;
}

/* Unlinks entry i from its bucket before it is reused. */
static void
token_forget(struct mem_store *ms, int32_t i)
{
	int32_t	*p;

	p = &ms->bucket[token_hash(ms->tokens[i].token, ms->tokens[i].len)];
	while (*p != -1 && *p != i)
		p = &ms->tokens[*p].next;
	if (*p == i)
		*p = ms->tokens[i].next;
}

/* Keeps a line's token in the ring; out of memory, it is not kept. */
static void
mem_remember(struct mem_store *ms, const char *room,
    const struct store_msg *m, uint64_t epoch, uint64_t id)
{
	struct mem_token	*t;
	uint32_t		 h;
	int32_t			 i;

	if (ms->tokens == NULL) {
		ms->tokens = calloc(STORE_TOKENS, sizeof(*ms->tokens));
		ms->bucket = malloc(TOKEN_BUCKETS * sizeof(*ms->bucket));
		if (ms->tokens == NULL || ms->bucket == NULL) {
			free(ms->tokens);
			free(ms->bucket);
			ms->tokens = NULL;
			ms->bucket = NULL;
			return;
		}
		for (h = 0; h < TOKEN_BUCKETS; h++)
			ms->bucket[h] = -1;
	}
	i = (int32_t)ms->tnext;
	ms->tnext = (ms->tnext + 1) % STORE_TOKENS;
	if (ms->ntokens == STORE_TOKENS)
		token_forget(ms, i);
	else
		ms->ntokens++;
	t = &ms->tokens[i];
	memcpy(t->token, m->token, m->toklen);
	t->len = (uint8_t)m->toklen;
	snprintf(t->seen.room, sizeof(t->seen.room), "%s", room);
	snprintf(t->seen.nick, sizeof(t->seen.nick), "%.*s",
	    (int)m->nicklen, m->nick);
	t->seen.epoch = epoch;
	t->seen.id = id;
	h = token_hash(m->token, m->toklen);
	t->next = ms->bucket[h];
	ms->bucket[h] = i;
}

static struct store_room *
mem_open(struct store *st, const char *room)
{
	struct mem_store	*ms = (struct mem_store *)st;
	struct mem_room		*mr;
	uint64_t		 epoch;

	if ((mr = calloc(1, sizeof(*mr))) == NULL)
		return NULL;
	mr->r.store = st;
	snprintf(mr->name, sizeof(mr->name), "%s", room);
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
	if (m->token != NULL && m->toklen > 0 && m->toklen <= PROTO_TOKENMAX)
		mem_remember((struct mem_store *)r->store, mr->name, m,
		    mr->epoch, mr->last);
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
