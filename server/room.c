/*
 * room.c: rooms with a member list, history in the store and per-room
 * message ids; room_broadcast() is the single path by which anything
 * reaches a room, so a bus between processes can take its place.
 *
 * A broadcast is encoded once per mode at the end of the room's current
 * block and touches no member: each member remembers how much of that
 * block it has queued (off), and catches up once per loop turn
 * (rooms_sync()), or before anything else is queued for it, so a turn's
 * broadcasts reach each member as one range in the right order.
 *
 * A joiner is not a member until its replay is sent: the replay is read
 * from the store as the joiner's connection drains, up to the room's
 * last id, so that it never fills a send queue however large history
 * is; then the joiner takes the live stream from where the block is.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "outq.h"
#include "proto.h"
#include "room.h"
#include "store.h"

#define ROOM_BLOCK	65536	/* shared output block per room and mode */
#define ROOM_BATCH	32	/* messages read from the store at once */

struct room {
	struct rooms		*set;
	char			 name[PROTO_ROOMMAX + 1];
	struct store_room	*hist;
	int			 count;		/* members joined */
	int			 refs;		/* and replaying */
	int			 keep;
	struct member		*head, *tail;
	struct block		*blk[2];	/* current block: text, frame */
	int			 nmode[2];	/* members of each mode */
	int			 dirty;		/* on set->dirty */
	struct room		*dirty_next;
	struct room		*next;
};

struct rooms {
	struct store		*store;
	unsigned		 lines;		/* replayed on a join */
	struct room		*head;
	struct room		*dirty;		/* broadcasts not yet queued */
};

/* Where frames are encoded when they do not fit a block. */
static char	scratch[PROTO_MAXFRAME + 1];

static void	room_free(struct room *);
static void	room_add(struct room *, struct member *);
static int	room_encode(struct room *, int, const struct frame *);
static void	room_retire(struct room *, int);
static void	room_frame(const struct room *, struct frame *,
		    enum frame_kind, const char *);
static void	member_send(struct member *, const struct frame *, int);
static void	room_tell(struct member *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	replay_one(struct member *, const struct store_msg *);
static int	replay_own(const struct member *, const struct store_msg *);

struct rooms *
rooms_new(struct store *store, unsigned lines)
{
	struct rooms	*set;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		return NULL;
	set->store = store;
	set->lines = lines;
	return set;
}

void
rooms_free(struct rooms *set)
{
	if (set == NULL)
		return;
	while (set->head != NULL)
		room_free(set->head);
	free(set);
}

struct room *
room_find(struct rooms *set, const char *name, size_t len)
{
	struct room	*r;

	for (r = set->head; r != NULL; r = r->next) {
		if (proto_name_eq(r->name, strlen(r->name), name, len))
			return r;
	}
	return NULL;
}

struct room *
room_open(struct rooms *set, const char *name, size_t len)
{
	struct room	*r, **rp;

	if ((r = room_find(set, name, len)) != NULL)
		return r;
	if (len > PROTO_ROOMMAX) {
		errno = EINVAL;
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->set = set;
	memcpy(r->name, name, len);
	if ((r->hist = store_open(set->store, r->name)) == NULL) {
		free(r);
		return NULL;
	}
	for (rp = &set->head; *rp != NULL; rp = &(*rp)->next)
		;
	*rp = r;
	return r;
}

static void
room_free(struct room *r)
{
	struct room	**rp;
	int		  i;

	for (rp = &r->set->head; *rp != NULL; rp = &(*rp)->next) {
		if (*rp == r) {
			*rp = r->next;
			break;
		}
	}
	for (rp = &r->set->dirty; r->dirty && *rp != NULL;
	    rp = &(*rp)->dirty_next) {
		if (*rp == r) {
			*rp = r->dirty_next;
			break;
		}
	}
	store_close(r->hist);
	for (i = 0; i < 2; i++)
		block_unref(r->blk[i]);
	free(r);
}

void
room_keep(struct room *r)
{
	r->keep = 1;
}

struct room *
rooms_first(const struct rooms *set)
{
	return set->head;
}

struct room *
room_next(const struct room *r)
{
	return r->next;
}

const char *
room_name(const struct room *r)
{
	return r->name;
}

uint64_t
room_epoch(const struct room *r)
{
	return store_epoch(r->hist);
}

uint64_t
room_last_id(const struct room *r)
{
	return store_last(r->hist);
}

int
room_count(const struct room *r)
{
	return r->count;
}

size_t
room_who(const struct room *r, char *buf, size_t cap)
{
	const struct member	*m;
	size_t			 n = 0, len;

	for (m = r->head; m != NULL; m = m->next) {
		len = strlen(m->nick);
		if (n + len + 2 > cap)
			break;
		if (n > 0)
			buf[n++] = ' ';
		memcpy(buf + n, m->nick, len);
		n += len;
	}
	if (cap > 0)
		buf[n] = '\0';
	return n;
}

/* A frame of kind about room r, stamped now. */
static void
room_frame(const struct room *r, struct frame *f, enum frame_kind kind,
    const char *text)
{
	frame_init(f, kind, r->name, NULL, text, strlen(text));
	f->epoch = room_epoch(r);
	f->id = room_last_id(r);
}

/* Sends m one frame of its own, in its mode (flags: RENDER_TIME). */
static void
member_send(struct member *m, const struct frame *f, int flags)
{
	int	n;

	n = frame_render(f, m->frame, flags, scratch, sizeof(scratch));
	if (n > 0)
		conn_send(m->conn, scratch, (size_t)n);
}

/* Sends m a notice about its room. */
static void
room_tell(struct member *m, const char *fmt, ...)
{
	struct frame	 f;
	va_list		 ap;
	char		 text[256];

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	room_frame(m->room, &f, FRAME_NOTICE, text);
	member_send(m, &f, 0);
}

int
room_join(struct room *r, struct member *m, struct conn *conn,
    const char *nick, int frame, int resume, uint64_t epoch, uint64_t last)
{
	struct frame	 f;
	uint64_t	 end = room_last_id(r), first = store_first(r->hist);
	uint64_t	 at;
	char		 text[64];

	memset(m, 0, sizeof(*m));
	m->room = r;
	m->conn = conn;
	m->nick = nick;
	m->frame = frame;
	r->refs++;
	if (resume && epoch != room_epoch(r)) {
		room_tell(m, "the server or room %s was restarted since you "
		    "left; messages may be missed", r->name);
		resume = 0;
	}
	if (resume)
		at = last < end ? last : end;
	else
		at = end > r->set->lines ? end - r->set->lines : 0;
	if (at + 1 < first) {
		if (resume)
			room_tell(m, "%" PRIu64 " messages missed: history "
			    "does not reach back that far", first - at - 1);
		at = first - 1;
	}
	m->replay_at = at;
	m->replay_end = end;
	/* A text client is spared the news that there is no history. */
	if (frame || at < end) {
		snprintf(text, sizeof(text), "%" PRIu64 " message%s", end - at,
		    end - at == 1 ? "" : "s");
		room_frame(r, &f, FRAME_REPLAY, text);
		member_send(m, &f, 0);
	}
	return room_pump(m);
}

/*
 * Sends history while the connection has room, up to the room's last
 * id; then m joins the member list and takes the live stream from where
 * the current block is, which holds nothing newer than what was read.
 */
int
room_pump(struct member *m)
{
	struct room		*r = m->room;
	struct store_msg	 batch[ROOM_BATCH];
	uint64_t		 first;
	size_t			 n, i;

	while (!m->joined) {
		if (m->replay_at >= room_last_id(r)) {
			room_add(r, m);
			break;
		}
		if (conn_space(m->conn) == 0)
			return 0;
		/* The store moved on while the joiner was reading. */
		if (m->replay_at + 1 < (first = store_first(r->hist))) {
			room_tell(m, "%" PRIu64 " messages missed while you "
			    "joined: history moved on", first -
			    m->replay_at - 1);
			m->replay_at = first - 1;
			continue;
		}
		if ((n = store_read(r->hist, m->replay_at, batch,
		    ROOM_BATCH)) == 0) {
			m->replay_at = room_last_id(r);
			continue;
		}
		for (i = 0; i < n && conn_space(m->conn) > 0; i++) {
			if (!replay_own(m, &batch[i]))
				replay_one(m, &batch[i]);
			m->replay_at = batch[i].id;
		}
	}
	return 1;
}

/*
 * A text client does not see its own lines come back; one it typed
 * while its replay was going out is in the store like any other.
 */
static int
replay_own(const struct member *m, const struct store_msg *sm)
{
	return !m->frame && sm->id > m->replay_end &&
	    proto_name_eq(sm->nick, sm->nicklen, m->nick, strlen(m->nick));
}

/* One stored message; history shows its time in text mode. */
static void
replay_one(struct member *m, const struct store_msg *sm)
{
	struct frame	f;

	memset(&f, 0, sizeof(f));
	f.kind = sm->kind;
	f.ts = sm->ts;
	f.room = m->room->name;
	f.roomlen = strlen(m->room->name);
	f.nick = sm->nick;
	f.nicklen = sm->nicklen;
	f.epoch = room_epoch(m->room);
	f.id = sm->id;
	f.text = sm->text;
	f.textlen = sm->textlen;
	member_send(m, &f, sm->id <= m->replay_end ? RENDER_TIME : 0);
}

/* Into the member list, with only what is broadcast from now on. */
static void
room_add(struct room *r, struct member *m)
{
	int	 i = m->frame;

	m->off = r->blk[i] != NULL ? block_len(r->blk[i]) : 0;
	m->joined = 1;
	r->nmode[i]++;
	m->next = NULL;
	m->prev = r->tail;
	if (r->tail != NULL)
		r->tail->next = m;
	else
		r->head = m;
	r->tail = m;
	r->count++;
}

void
room_leave(struct member *m)
{
	struct room	*r = m->room;

	if (r == NULL)
		return;
	if (m->joined) {
		/* It was a member when those were broadcast. */
		room_sync(m);
		r->nmode[m->frame]--;
		if (m->prev != NULL)
			m->prev->next = m->next;
		else
			r->head = m->next;
		if (m->next != NULL)
			m->next->prev = m->prev;
		else
			r->tail = m->prev;
		r->count--;
	}
	m->prev = m->next = NULL;
	m->room = NULL;
	m->joined = 0;
	if (--r->refs == 0 && !r->keep)
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
	int		 n;

	if (b != NULL && block_avail(b) > 0) {
		n = frame_render(f, m, 0, block_tail(b), block_avail(b));
		if (n >= 0) {
			block_commit(b, (size_t)n);
			return 0;
		}
	}
	n = frame_render(f, m, 0, scratch, sizeof(scratch));
	if (n < 0)
		return -1;
	if (b != NULL)
		room_retire(r, m);
	r->blk[m] = b = block_new((size_t)n > ROOM_BLOCK ? (size_t)n :
	    ROOM_BLOCK);
	if (b == NULL || block_append(b, scratch, (size_t)n) < 0)
		return -1;
	return 0;
}

/* Catches the members of mode i up before their block is replaced. */
static void
room_retire(struct room *r, int i)
{
	struct member	*m;

	for (m = r->head; m != NULL; m = m->next) {
		if (m->frame == i) {
			room_sync(m);
			m->off = 0;
		}
	}
	block_unref(r->blk[i]);
	r->blk[i] = NULL;
}

int
room_broadcast(struct room *r, struct frame *f, struct member *except)
{
	struct store_msg	 sm;
	int			 i, xi = -1;

	if (f->kind == FRAME_MSG || f->kind == FRAME_ACT) {
		sm.ts = f->ts;
		sm.kind = f->kind;
		sm.nick = f->nick;
		sm.nicklen = f->nicklen;
		sm.text = f->text;
		sm.textlen = f->textlen;
		sm.token = NULL;
		sm.toklen = 0;
		if ((f->id = store_append(r->hist, &sm)) == 0)
			return -1;
		f->epoch = room_epoch(r);
	}
	if (except != NULL && except->joined && except->room == r) {
		room_sync(except);
		xi = except->frame;
	}
	for (i = 0; i < 2; i++) {
		if (r->nmode[i] > 0)
			(void)room_encode(r, i, f);
	}
	/* The one left out skips its own line. */
	if (xi != -1 && r->blk[xi] != NULL)
		except->off = block_len(r->blk[xi]);
	if (!r->dirty) {
		r->dirty = 1;
		r->dirty_next = r->set->dirty;
		r->set->dirty = r;
	}
	return 0;
}

void
room_sync(struct member *m)
{
	struct block	*b;
	size_t		 end;

	if (!m->joined || (b = m->room->blk[m->frame]) == NULL ||
	    m->off >= (end = block_len(b)))
		return;
	conn_send_block(m->conn, b, m->off, end - m->off);
	m->off = end;
}

void
rooms_sync(struct rooms *set)
{
	struct room	*r;
	struct member	*m;

	while ((r = set->dirty) != NULL) {
		set->dirty = r->dirty_next;
		r->dirty = 0;
		/* Queuing never closes a connection: no member leaves here. */
		for (m = r->head; m != NULL; m = m->next)
			room_sync(m);
	}
}

int
rooms_dirty(const struct rooms *set)
{
	return set->dirty != NULL;
}
