/*
 * room.c: rooms with a member list, history in the store and per-room
 * message ids; room_say() and room_broadcast() are the only paths by
 * which anything reaches a room, so a bus between processes can take
 * their place.
 *
 * Nothing a room is told reaches anyone before the store has committed
 * the messages told before it: each room keeps what it was told in a
 * pending list, in order, and rooms_settle() commits the store once for
 * all of them (one sync per loop turn) and only then encodes each event
 * once per mode at the end of the room's current block.  A message the
 * store could not keep is dropped there, and its sender told.  Each
 * member remembers how much of the block it has queued (off) and
 * catches up in rooms_settle(), or before anything else is queued for
 * it, which settles first: so a turn's events reach each member as one
 * range, in the one order.
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

enum pend_kind {
	PEND_EVENT,		/* for the room as it is */
	PEND_SAY,		/* a message by from, stored, to be committed */
	PEND_REPEAT,		/* from sent a token again: only its ack */
	PEND_DIRECT		/* bytes for from alone, in their place */
};

enum pend_state {
	PEND_NEW,		/* not yet committed */
	PEND_STORED,		/* committed: delivered once ticket is synced */
	PEND_LOST		/* its commit failed: refused in its turn */
};

/* Something the room was told, waiting for the disk; owns its strings. */
struct pending {
	enum pend_kind		 kind;
	enum pend_state		 state;
	uint64_t		 ticket;	/* of the commit that holds it */
	struct frame		 f;
	struct member		*from;
	char			*token;
	size_t			 toklen;
	struct pending		*next;
	char			 data[];
};

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
	uint64_t		 seen;		/* the last id delivered */
	struct pending		*pend, **pend_tail;
	int			 dirty;		/* on set->dirty */
	struct room		*dirty_next;
	struct room		*next;
};

struct rooms {
	struct store		*store;
	unsigned		 lines;		/* replayed on a join */
	struct room		*head;
	struct room		*dirty;		/* with pending events */
	int			 uncommitted;	/* pending events not committed */
	uint64_t		 ticket;	/* of the last commit */
	int			 settling;
};

/* Where frames are encoded when they do not fit a block. */
static char	scratch[PROTO_MAXFRAME + 1];

static void	room_free(struct room *);
static void	room_add(struct room *, struct member *);
static int	room_encode(struct room *, int, const struct frame *);
static void	room_retire(struct room *, int);
static struct pending *pend_new(enum pend_kind, const struct frame *,
		    struct member *, const char *, size_t);
static void	room_pend(struct room *, struct pending *);
static void	room_seal(struct room *);
static void	room_deliver(struct room *, struct pending *);
static void	rooms_commit(struct rooms *);
static void	rooms_deliver(struct rooms *);
static void	room_event(struct room *, const struct frame *,
		    struct member *);
static void	room_ack(struct member *, const char *, size_t,
		    const struct store_seen *);
static void	room_refuse(struct member *, const struct frame *,
		    const char *, size_t);
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
	r->seen = store_last(r->hist);
	r->pend_tail = &r->pend;
	for (rp = &set->head; *rp != NULL; rp = &(*rp)->next)
		;
	*rp = r;
	return r;
}

static void
room_free(struct room *r)
{
	struct room	**rp;
	struct pending	 *p;
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
	while ((p = r->pend) != NULL) {
		r->pend = p->next;
		free(p);
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
	return r->seen;
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
		if (m->replay_at >= r->seen) {
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
			m->replay_at = r->seen;
			continue;
		}
		/* Appended but not yet committed: not history yet. */
		for (i = 0; i < n && batch[i].id <= r->seen &&
		    conn_space(m->conn) > 0; i++) {
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
	/* What it was told as a member, its own lines' acks too. */
	room_seal(r);
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

void
room_broadcast(struct room *r, const struct frame *f)
{
	struct pending	*p;

	/* Out of memory, an event is lost: nobody is owed an answer. */
	if ((p = pend_new(PEND_EVENT, f, NULL, NULL, 0)) != NULL)
		room_pend(r, p);
}

int
room_say(struct room *r, struct member *from, struct frame *f,
    const char *token, size_t toklen)
{
	struct store_msg	 sm;
	struct store_seen	 seen;
	struct pending		*p;
	enum pend_kind		 kind = PEND_SAY;

	if (token != NULL && store_seen(r->set->store, token, toklen,
	    &seen) == 1)
		kind = PEND_REPEAT;
	/* Made first: a message stored is a message delivered. */
	if ((p = pend_new(kind, f, from, token, toklen)) == NULL)
		return -1;
	if (kind == PEND_SAY) {
		memset(&sm, 0, sizeof(sm));
		sm.ts = f->ts;
		sm.kind = f->kind;
		sm.nick = f->nick;
		sm.nicklen = f->nicklen;
		sm.text = f->text;
		sm.textlen = f->textlen;
		sm.token = token;
		sm.toklen = toklen;
		if ((f->id = store_append(r->hist, &sm)) == 0) {
			free(p);
			return -1;
		}
		f->epoch = room_epoch(r);
		p->f.id = f->id;
		p->f.epoch = f->epoch;
	}
	room_pend(r, p);
	return 0;
}

/* A copy of what a room is told, owning its strings; NULL if no memory. */
static struct pending *
pend_new(enum pend_kind kind, const struct frame *f, struct member *from,
    const char *token, size_t toklen)
{
	struct pending	*p;
	char		*d;

	p = malloc(sizeof(*p) + f->roomlen + f->nicklen + f->textlen +
	    toklen + 4);
	if (p == NULL)
		return NULL;
	p->kind = kind;
	p->state = PEND_NEW;
	p->ticket = 0;
	p->f = *f;
	p->from = from;
	p->toklen = toklen;
	p->next = NULL;
	d = p->data;
	p->f.room = memcpy(d, f->room, f->roomlen);
	d[f->roomlen] = '\0';
	d += f->roomlen + 1;
	p->f.nick = memcpy(d, f->nick, f->nicklen);
	d[f->nicklen] = '\0';
	d += f->nicklen + 1;
	p->f.text = memcpy(d, f->text, f->textlen);
	d[f->textlen] = '\0';
	d += f->textlen + 1;
	p->token = d;
	if (toklen > 0)
		memcpy(d, token, toklen);
	d[toklen] = '\0';
	return p;
}

/* Puts p at the end of r's pending list, until rooms_settle(). */
static void
room_pend(struct room *r, struct pending *p)
{
	*r->pend_tail = p;
	r->pend_tail = &p->next;
	r->set->uncommitted = 1;
	if (!r->dirty) {
		r->dirty = 1;
		r->dirty_next = r->set->dirty;
		r->set->dirty = r;
	}
}

/*
 * Settles now if r has anything pending, waiting for the disk if need
 * be: before a member leaves it, or is sent anything of its own.
 */
static void
room_seal(struct room *r)
{
	struct rooms	*set = r->set;

	if (r->pend == NULL || set->settling)
		return;
	rooms_commit(set);
	store_wait(set->store, set->ticket);
	rooms_deliver(set);
}

void
rooms_settle(struct rooms *set)
{
	rooms_commit(set);
	rooms_deliver(set);
}

/*
 * Commits what the rooms were told since the last commit; each event
 * takes the commit's ticket, and a message the commit lost is refused,
 * in its place, once what came before it is delivered.
 */
static void
rooms_commit(struct rooms *set)
{
	struct room	*r;
	struct pending	*p;
	uint64_t	 t;
	int		 stored;

	if (!set->uncommitted)
		return;
	set->uncommitted = 0;
	if ((stored = store_commit(set->store, &t) == 0))
		set->ticket = t;
	for (r = set->dirty; r != NULL; r = r->dirty_next) {
		for (p = r->pend; p != NULL; p = p->next) {
			if (p->state != PEND_NEW)
				continue;
			p->ticket = set->ticket;
			/* Only a message is lost with its commit. */
			p->state = p->kind == PEND_SAY && !stored ?
			    PEND_LOST : PEND_STORED;
		}
	}
}

/* Delivers, room by room and in order, what is on disk now. */
static void
rooms_deliver(struct rooms *set)
{
	struct room	**rp, *r;
	struct member	 *m;
	struct pending	 *p;
	uint64_t	  synced;
	int		  n;

	if (set->dirty == NULL)
		return;
	synced = store_synced(set->store);
	set->settling = 1;
	for (rp = &set->dirty; (r = *rp) != NULL; ) {
		for (n = 0; (p = r->pend) != NULL && p->state != PEND_NEW &&
		    p->ticket <= synced; n++) {
			r->pend = p->next;
			room_deliver(r, p);
			free(p);
		}
		/* Queuing never closes a connection: no member leaves here. */
		for (m = r->head; n > 0 && m != NULL; m = m->next)
			room_sync(m);
		if (r->pend == NULL) {
			r->pend_tail = &r->pend;
			r->dirty = 0;
			*rp = r->dirty_next;
		} else
			rp = &r->dirty_next;
	}
	set->settling = 0;
}

/* One pending event, once on disk, or once known lost. */
static void
room_deliver(struct room *r, struct pending *p)
{
	struct store_seen	 seen;

	switch (p->kind) {
	case PEND_EVENT:
		room_event(r, &p->f, NULL);
		break;
	case PEND_SAY:
		if (p->state == PEND_LOST) {
			room_refuse(p->from, &p->f, p->token, p->toklen);
			break;
		}
		r->seen = p->f.id;
		/* A text client does not get its own line back. */
		room_event(r, &p->f, p->from->frame ? NULL : p->from);
		if (p->toklen > 0) {
			room_sync(p->from);
			snprintf(seen.room, sizeof(seen.room), "%s", r->name);
			snprintf(seen.nick, sizeof(seen.nick), "%s",
			    p->f.nick);
			seen.epoch = p->f.epoch;
			seen.id = p->f.id;
			room_ack(p->from, p->token, p->toklen, &seen);
		}
		break;
	case PEND_DIRECT:
		room_sync(p->from);
		conn_send(p->from->conn, p->f.text, p->f.textlen);
		break;
	case PEND_REPEAT:
		/* Its first sending may have been in a commit that failed. */
		if (store_seen(r->set->store, p->token, p->toklen,
		    &seen) != 1) {
			room_refuse(p->from, &p->f, p->token, p->toklen);
			break;
		}
		room_sync(p->from);
		room_ack(p->from, p->token, p->toklen, &seen);
		break;
	}
}

/* Encodes f for the room's members, but except, who skips it. */
static void
room_event(struct room *r, const struct frame *f, struct member *except)
{
	int	i, xi = -1;

	if (except != NULL && except->joined && except->room == r) {
		room_sync(except);
		xi = except->frame;
	}
	for (i = 0; i < 2; i++) {
		if (r->nmode[i] > 0)
			(void)room_encode(r, i, f);
	}
	if (xi != -1 && r->blk[xi] != NULL)
		except->off = block_len(r->blk[xi]);
}

/* Tells m where the line of token went. */
static void
room_ack(struct member *m, const char *token, size_t toklen,
    const struct store_seen *seen)
{
	struct frame	f;

	frame_init(&f, FRAME_ACK, seen->room, seen->nick, token, toklen);
	f.epoch = seen->epoch;
	f.id = seen->id;
	member_send(m, &f, 0);
}

/* Message f could not be kept: its sender is told, and acked with 0. */
static void
room_refuse(struct member *m, const struct frame *msg, const char *token,
    size_t toklen)
{
	struct frame		f;
	struct store_seen	none;
	static const char	why[] = "message not sent: history could "
	    "not be stored";

	room_sync(m);
	frame_init(&f, FRAME_ERROR, NULL, NULL, why, sizeof(why) - 1);
	member_send(m, &f, 0);
	if (toklen > 0) {
		memset(&none, 0, sizeof(none));
		snprintf(none.room, sizeof(none.room), "%.*s",
		    (int)msg->roomlen, msg->room);
		snprintf(none.nick, sizeof(none.nick), "%.*s",
		    (int)msg->nicklen, msg->nick);
		room_ack(m, token, toklen, &none);
	}
}

void
room_send(struct member *m, const void *data, size_t len)
{
	struct room	*r = m->room;
	struct pending	*p;
	struct frame	 f;

	if (r != NULL && r->pend != NULL && !r->set->settling) {
		memset(&f, 0, sizeof(f));
		f.room = f.nick = "";
		f.text = data;
		f.textlen = len;
		/* Out of memory, room_sync() below waits for the disk. */
		if ((p = pend_new(PEND_DIRECT, &f, m, NULL, 0)) != NULL) {
			room_pend(r, p);
			return;
		}
	}
	room_sync(m);
	conn_send(m->conn, data, len);
}

void
room_sync(struct member *m)
{
	struct block	*b;
	size_t		 end;

	if (m->room == NULL)
		return;
	room_seal(m->room);
	if (!m->joined || (b = m->room->blk[m->frame]) == NULL ||
	    m->off >= (end = block_len(b)))
		return;
	conn_send_block(m->conn, b, m->off, end - m->off);
	m->off = end;
}

int
rooms_dirty(const struct rooms *set)
{
	const struct room	*r;
	uint64_t		 synced;

	if (set->uncommitted)
		return 1;
	if (set->dirty == NULL)
		return 0;
	synced = store_synced(set->store);
	for (r = set->dirty; r != NULL; r = r->dirty_next) {
		if (r->pend->ticket <= synced)
			return 1;
	}
	return 0;
}
