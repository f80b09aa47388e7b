/*
 * room.c: rooms with a member list, a history ring and per-room message
 * ids; room_broadcast() is the single path by which anything reaches a
 * room, so a bus between processes can replace it.
 *
 * A broadcast is encoded once per mode at the end of the room's current
 * block and touches no member: each member remembers how much of that
 * block it has queued (room_off), and catches up once per loop turn
 * (room_sync_all()), or before anything else is queued for it, so a
 * turn's broadcasts reach each member as one range in the right order.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "outq.h"
#include "proto.h"
#include "room.h"
#include "server.h"

#define ROOM_BLOCK	65536	/* shared output block per room and mode */

struct hist {
	int64_t		 ts;
	uint64_t	 id;
	enum frame_kind	 kind;
	char		 nick[PROTO_NICKMAX + 1];
	char		*text;		/* reused as the ring turns */
	size_t		 len, cap;
};

struct room {
	struct server	*srv;
	char		 name[PROTO_ROOMMAX + 1];
	uint64_t	 epoch;
	uint64_t	 last_id;
	int		 count;
	struct conn	*head, *tail;
	struct hist	*hist;		/* ring of cf.history entries */
	unsigned	 nhist, hstart;
	struct block	*blk[2];	/* current block: text, frame */
	int		 nmode[2];	/* members of each mode */
	int		 dirty;		/* on srv->dirty */
	struct room	*dirty_next;
	struct room	*next;
};

static void	room_record(struct room *, const struct frame *);
static int	room_encode(struct room *, int, const struct frame *);
static void	room_retire(struct room *, int);
static void	room_hist_frame(const struct room *, const struct hist *,
		    struct frame *);

struct room *
room_find(struct server *srv, const char *name, size_t len)
{
	struct room	*r;

	for (r = srv->rooms; r != NULL; r = r->next) {
		if (proto_name_eq(r->name, strlen(r->name), name, len))
			return r;
	}
	return NULL;
}

struct room *
room_create(struct server *srv, const char *name, size_t len)
{
	struct room	*r, **rp;
	uint64_t	 epoch;

	if (len > PROTO_ROOMMAX) {
		errno = EINVAL;
		return NULL;
	}
	if ((r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	r->srv = srv;
	memcpy(r->name, name, len);
	/* An epoch tells a recreated room from a gap: never reuse one. */
	epoch = (uint64_t)server_time_ms();
	if (epoch <= srv->last_epoch)
		epoch = srv->last_epoch + 1;
	srv->last_epoch = r->epoch = epoch;
	for (rp = &srv->rooms; *rp != NULL; rp = &(*rp)->next)
		;
	*rp = r;
	return r;
}

void
room_free(struct room *r)
{
	struct room	**rp;
	unsigned	  i;

	for (rp = &r->srv->rooms; *rp != NULL; rp = &(*rp)->next) {
		if (*rp == r) {
			*rp = r->next;
			break;
		}
	}
	if (r->srv->lobby == r)
		r->srv->lobby = NULL;
	for (rp = &r->srv->dirty; r->dirty && *rp != NULL;
	    rp = &(*rp)->dirty_next) {
		if (*rp == r) {
			*rp = r->dirty_next;
			break;
		}
	}
	if (r->hist != NULL) {
		for (i = 0; i < r->srv->cf.history; i++)
			free(r->hist[i].text);
		free(r->hist);
	}
	for (i = 0; i < 2; i++) {
		if (r->blk[i] != NULL)
			block_unref(r->blk[i]);
	}
	free(r);
}

const char *
room_name(const struct room *r)
{
	return r->name;
}

uint64_t
room_epoch(const struct room *r)
{
	return r->epoch;
}

uint64_t
room_last_id(const struct room *r)
{
	return r->last_id;
}

int
room_count(const struct room *r)
{
	return r->count;
}

struct conn *
room_members(const struct room *r)
{
	return r->head;
}

struct room *
room_next(const struct room *r)
{
	return r->next;
}

void
room_add(struct room *r, struct conn *c)
{
	int	 m = c->mode == CONN_FRAME;

	/* Only what is broadcast from now on. */
	c->room_off = r->blk[m] != NULL ? block_len(r->blk[m]) : 0;
	r->nmode[m]++;
	c->room = r;
	c->room_next = NULL;
	c->room_prev = r->tail;
	if (r->tail != NULL)
		r->tail->room_next = c;
	else
		r->head = c;
	r->tail = c;
	r->count++;
}

void
room_remove(struct room *r, struct conn *c)
{
	if (c->room != r)
		return;
	/* It was a member when those were broadcast. */
	room_sync(c);
	r->nmode[c->mode == CONN_FRAME]--;
	if (c->room_prev != NULL)
		c->room_prev->room_next = c->room_next;
	else
		r->head = c->room_next;
	if (c->room_next != NULL)
		c->room_next->room_prev = c->room_prev;
	else
		r->tail = c->room_prev;
	c->room_prev = c->room_next = NULL;
	c->room = NULL;
	r->count--;
	if (r->count == 0 && r != r->srv->lobby)
		room_free(r);
}

/*
 * Encodes f for mode m (0 text, 1 frame) at the end of the room's
 * current block, so that successive broadcasts queued for one member
 * join into one range.  -1 if it cannot be encoded.
 */
static int
room_encode(struct room *r, int m, const struct frame *f)
{
	struct block	*b = r->blk[m];
	char		*buf = r->srv->scratch;
	int		 n;

	if (b != NULL && block_avail(b) > 0) {
		n = m ? frame_encode(f, block_tail(b), block_avail(b)) :
		    proto_render_text(f, RENDER_CRLF, block_tail(b),
		    block_avail(b));
		if (n >= 0) {
			block_commit(b, (size_t)n);
			return 0;
		}
	}
	n = m ? frame_encode(f, buf, SERVER_SCRATCH) :
	    proto_render_text(f, RENDER_CRLF, buf, SERVER_SCRATCH);
	if (n < 0)
		return -1;
	if (b != NULL)
		room_retire(r, m);
	r->blk[m] = b = block_new((size_t)n > ROOM_BLOCK ? (size_t)n :
	    ROOM_BLOCK);
	if (b == NULL || block_append(b, buf, (size_t)n) < 0)
		return -1;
	return 0;
}

/* Catches the members of mode m up before their block is replaced. */
static void
room_retire(struct room *r, int m)
{
	struct conn	*c, *next;

	for (c = r->head; c != NULL; c = next) {
		next = c->room_next;
		if ((c->mode == CONN_FRAME) == m) {
			room_sync(c);
			c->room_off = 0;
		}
	}
	block_unref(r->blk[m]);
	r->blk[m] = NULL;
}

void
room_broadcast(struct room *r, struct frame *f, struct conn *except)
{
	struct server	*srv = r->srv;
	int		 m, xm = -1;

	if (f->kind == FRAME_MSG || f->kind == FRAME_ACT) {
		f->epoch = r->epoch;
		f->id = ++r->last_id;
		room_record(r, f);
	}
	if (except != NULL && except->room == r) {
		room_sync(except);
		xm = except->mode == CONN_FRAME;
	}
	for (m = 0; m < 2; m++) {
		if (r->nmode[m] > 0)
			(void)room_encode(r, m, f);
	}
	/* The one left out skips its own line. */
	if (xm != -1 && r->blk[xm] != NULL)
		except->room_off = block_len(r->blk[xm]);
	if (!r->dirty) {
		r->dirty = 1;
		r->dirty_next = srv->dirty;
		srv->dirty = r;
	}
}

void
room_sync(struct conn *c)
{
	struct block	*b;
	size_t		 end;

	if (c->room == NULL || (b = c->room->blk[c->mode == CONN_FRAME]) ==
	    NULL || c->room_off >= (end = block_len(b)))
		return;
	if (!(c->flags & (CONN_CLOSING | CONN_OVERFLOW | CONN_LINGER)))
		conn_send_block(c, b, c->room_off, end - c->room_off);
	c->room_off = end;
}

void
room_sync_all(struct server *srv)
{
	struct room	*r;
	struct conn	*c, *next;

	while ((r = srv->dirty) != NULL) {
		srv->dirty = r->dirty_next;
		r->dirty = 0;
		/* A member may leave (and free r) inside room_sync(). */
		for (c = r->head; c != NULL; c = next) {
			next = c->room_next;
			room_sync(c);
		}
	}
}

/* Keeps a msg or act in the ring, reusing the oldest entry's storage. */
static void
room_record(struct room *r, const struct frame *f)
{
	unsigned	 max = r->srv->cf.history;
	struct hist	*h;
	char		*p;

	if (max == 0)
		return;
	if (r->hist == NULL && (r->hist = calloc(max, sizeof *h)) == NULL)
		return;
	if (r->nhist < max)
		h = &r->hist[(r->hstart + r->nhist++) % max];
	else {
		h = &r->hist[r->hstart];
		r->hstart = (r->hstart + 1) % max;
	}
	if (h->cap < f->textlen + 1) {
		if ((p = realloc(h->text, f->textlen + 1)) == NULL) {
			h->len = 0;
			return;
		}
		h->text = p;
		h->cap = f->textlen + 1;
	}
	memcpy(h->text, f->text, f->textlen);
	h->text[f->textlen] = '\0';
	h->len = f->textlen;
	h->ts = f->ts;
	h->id = f->id;
	h->kind = f->kind;
	snprintf(h->nick, sizeof h->nick, "%.*s", (int)f->nicklen, f->nick);
}

static void
room_hist_frame(const struct room *r, const struct hist *h,
    struct frame *f)
{
	memset(f, 0, sizeof *f);
	f->kind = h->kind;
	f->ts = h->ts;
	f->room = r->name;
	f->roomlen = strlen(r->name);
	f->nick = h->nick;
	f->nicklen = strlen(h->nick);
	f->epoch = r->epoch;
	f->id = h->id;
	f->text = h->text != NULL ? h->text : "";
	f->textlen = h->len;
}

void
room_replay(struct room *r, struct conn *c, int resume, uint64_t epoch,
    uint64_t last)
{
	struct frame	 f;
	char		 text[128];
	unsigned	 i, first = 0, max = r->srv->cf.history;
	uint64_t	 oldest;
	int		 flags = c->mode == CONN_TEXT ? RENDER_TIME : 0;

	memset(&f, 0, sizeof f);
	f.ts = server_time_ms();
	f.room = r->name;
	f.roomlen = strlen(r->name);
	f.epoch = r->epoch;
	f.id = r->last_id;
	if (resume && epoch != r->epoch) {
		f.kind = FRAME_NOTICE;
		snprintf(text, sizeof text, "the server or room %s was "
		    "restarted since you left; messages may be missed",
		    r->name);
		f.text = text;
		f.textlen = strlen(text);
		conn_send_frame(c, &f, 0);
		resume = 0;
	}
	if (resume) {
		/* Skip what the client has; a gap older than history. */
		while (first < r->nhist && r->hist[(r->hstart + first) %
		    max].id <= last)
			first++;
		oldest = r->nhist > 0 ? r->hist[r->hstart].id : r->last_id + 1;
		if (last + 1 < oldest && last < r->last_id) {
			f.kind = FRAME_NOTICE;
			snprintf(text, sizeof text, "%" PRIu64 " messages "
			    "missed: history does not reach back that far",
			    oldest - last - 1);
			f.text = text;
			f.textlen = strlen(text);
			conn_send_frame(c, &f, 0);
		}
	}
	if (c->mode == CONN_TEXT && first == r->nhist)
		return;
	f.kind = FRAME_REPLAY;
	snprintf(text, sizeof text, "%u message%s", r->nhist - first,
	    r->nhist - first == 1 ? "" : "s");
	f.text = text;
	f.textlen = strlen(text);
	conn_send_frame(c, &f, 0);
	for (i = first; i < r->nhist; i++) {
		room_hist_frame(r, &r->hist[(r->hstart + i) % max], &f);
		conn_send_frame(c, &f, flags);
	}
}
