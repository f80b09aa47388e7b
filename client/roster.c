/*
 * roster.c: the client's picture of its place on the server, kept from
 * the frames it reads: the own nick and the wanted one, the room and its
 * member list, and the last message id and epoch of each room.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "proto.h"
#include "roster.h"

#define ROSTER_ROOMS	16		/* resume points kept */

/* The last message seen in a room: where a reconnect resumes. */
struct seen {
	char		 room[PROTO_ROOMMAX + 1];
	uint64_t	 epoch;
	uint64_t	 last;
	uint64_t	 used;		/* for replacing the oldest */
};

struct roster {
	char		 nick[PROTO_NICKMAX + 1];
	char		 want[PROTO_NICKMAX + 1];	/* the nick asked for */
	int64_t		 reclaim_at;	/* when to ask for it again */
	char		 room[PROTO_ROOMMAX + 1];
	struct seen	 seen[ROSTER_ROOMS];
	struct seen	*seenlast;	/* the one found last */
	uint64_t	 seenclock;
	int		 replay;	/* inside a history replay */

	char		**members;
	size_t		 nmembers;
	size_t		 capmembers;
};

static int	 message_flags(struct roster *, const struct frame *);
static void	 note_hello(struct roster *, const struct frame *, int64_t);
static void	 note_message(struct roster *, const struct frame *);
static void	 note_join(struct roster *, const struct frame *);
static void	 note_leave(struct roster *, const struct frame *);
static void	 note_nick(struct roster *, const struct frame *);
static void	 note_who(struct roster *, const struct frame *);
static int	 want_other(const struct roster *);
static struct seen *seen_room(struct roster *, const char *, size_t);
static int	 is_own(const struct roster *, const char *, size_t);
static int	 is_current(const struct roster *, const char *, size_t);
static int	 mentions(const struct roster *, const char *, size_t);
static int	 name_char(char);
static void	 members_clear(struct roster *);
static int	 members_add(struct roster *, const char *, size_t);
static void	 members_del(struct roster *, const char *, size_t);
static ssize_t	 members_find(const struct roster *, const char *, size_t);
static void	 copy_name(char *, size_t, const char *, size_t);

struct roster *
roster_new(const char *nick)
{
	struct roster	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if (nick != NULL) {
		copy_name(r->nick, sizeof(r->nick), nick, strlen(nick));
		copy_name(r->want, sizeof(r->want), nick, strlen(nick));
	}
	return r;
}

void
roster_free(struct roster *r)
{
	if (r == NULL)
		return;
	members_clear(r);
	free(r->members);
	free(r);
}

int
roster_note(struct roster *r, const struct frame *f, int64_t now)
{
	switch (f->kind) {
	case FRAME_HELLO:
		note_hello(r, f, now);
		break;
	case FRAME_MSG:
	case FRAME_ACT:
		note_message(r, f);
		return message_flags(r, f);
	case FRAME_PRIV:
		return ROSTER_MENTION;
	case FRAME_REPLAY:
		r->replay = 1;
		break;
	case FRAME_JOIN:
		note_join(r, f);
		break;
	case FRAME_PART:
	case FRAME_QUIT:
		note_leave(r, f);
		break;
	case FRAME_NICK:
		note_nick(r, f);
		break;
	case FRAME_WHO:
		note_who(r, f);
		break;
	default:
		break;
	}
	return 0;
}

void
roster_hello(struct roster *r, struct hello *h)
{
	struct seen	*sn;

	memcpy(h->nick, r->want[0] != '\0' ? r->want : r->nick,
	    sizeof(h->nick));
	memcpy(h->room, r->room, sizeof(h->room));
	h->epoch = h->last = 0;
	if (r->room[0] != '\0' &&
	    (sn = seen_room(r, r->room, strlen(r->room))) != NULL &&
	    sn->epoch != 0) {
		h->epoch = sn->epoch;
		h->last = sn->last;
	}
}

void
roster_lost(struct roster *r)
{
	members_clear(r);
	r->replay = 0;
}

int64_t
roster_reclaim_at(const struct roster *r)
{
	return r->reclaim_at;
}

const char *
roster_reclaim(struct roster *r, int64_t now)
{
	if (r->reclaim_at == 0 || now < r->reclaim_at)
		return NULL;
	if (!want_other(r)) {
		r->reclaim_at = 0;
		return NULL;
	}
	r->reclaim_at = now + ROSTER_RECLAIM_MS;
	return r->want;
}

const char *
roster_nick(const struct roster *r)
{
	return r->nick;
}

const char *
roster_room(const struct roster *r)
{
	return r->room;
}

size_t
roster_nmembers(const struct roster *r)
{
	return r->nmembers;
}

const char *const *
roster_members(const struct roster *r)
{
	return (const char *const *)r->members;
}

static int
message_flags(struct roster *r, const struct frame *f)
{
	int	flags = r->replay ? ROSTER_REPLAY : 0;

	if (is_own(r, f->nick, f->nicklen))
		flags |= ROSTER_OWN;
	else if (mentions(r, f->text, f->textlen))
		flags |= ROSTER_MENTION;
	return flags;
}

/* Registered: the server tells the nick and room, and how far it is. */
static void
note_hello(struct roster *r, const struct frame *f, int64_t now)
{
	struct seen	*sn;

	if (proto_valid_nick(f->nick, f->nicklen))
		copy_name(r->nick, sizeof(r->nick), f->nick, f->nicklen);
	/* An old connection of ours may hold the nick until it times out. */
	r->reclaim_at = want_other(r) ? now + ROSTER_RECLAIM_MS : 0;
	if (proto_valid_room(f->room, f->roomlen))
		copy_name(r->room, sizeof(r->room), f->room, f->roomlen);
	if ((sn = seen_room(r, f->room, f->roomlen)) != NULL &&
	    sn->epoch != f->epoch) {
		sn->epoch = f->epoch;
		sn->last = 0;
	}
}

/* Remembers the newest message id seen in the frame's room. */
static void
note_message(struct roster *r, const struct frame *f)
{
	struct seen	*sn;

	if (f->id == 0 || (sn = seen_room(r, f->room, f->roomlen)) == NULL)
		return;
	if (sn->epoch != f->epoch) {
		sn->epoch = f->epoch;
		sn->last = f->id;
	} else if (f->id > sn->last)
		sn->last = f->id;
}

static void
note_join(struct roster *r, const struct frame *f)
{
	if (is_own(r, f->nick, f->nicklen) &&
	    proto_valid_room(f->room, f->roomlen)) {
		copy_name(r->room, sizeof(r->room), f->room, f->roomlen);
		members_clear(r);
		r->replay = 0;
	}
	if (is_current(r, f->room, f->roomlen) &&
	    members_find(r, f->nick, f->nicklen) == -1)
		members_add(r, f->nick, f->nicklen);
}

static void
note_leave(struct roster *r, const struct frame *f)
{
	if (is_current(r, f->room, f->roomlen) || f->roomlen == 0)
		members_del(r, f->nick, f->nicklen);
}

static void
note_nick(struct roster *r, const struct frame *f)
{
	if (!proto_valid_nick(f->text, f->textlen))
		return;
	if (is_own(r, f->nick, f->nicklen)) {
		copy_name(r->nick, sizeof(r->nick), f->text, f->textlen);
		/* A nick the user chose is the one to take back. */
		copy_name(r->want, sizeof(r->want), f->text, f->textlen);
		r->reclaim_at = 0;
	}
	if (members_find(r, f->nick, f->nicklen) != -1) {
		members_del(r, f->nick, f->nicklen);
		members_add(r, f->text, f->textlen);
	}
}

/* The member list of the current room, replaced as a whole. */
static void
note_who(struct roster *r, const struct frame *f)
{
	const char	*p = f->text, *end = f->text + f->textlen, *w;
	size_t		 wlen;

	if (!is_current(r, f->room, f->roomlen) && f->roomlen > 0)
		return;
	members_clear(r);
	while (p < end) {
		p = proto_word(p, end - p, &w, &wlen);
		if (wlen == 0)
			break;
		if (members_add(r, w, wlen) == -1)
			break;
	}
}

/* True if the server gave a nick other than the one asked for. */
static int
want_other(const struct roster *r)
{
	return r->want[0] != '\0' && !proto_name_eq(r->want, strlen(r->want),
	    r->nick, strlen(r->nick));
}

/* The resume point of a room, made if new; NULL for no room. */
static struct seen *
seen_room(struct roster *r, const char *room, size_t len)
{
	struct seen	*sn, *old = &r->seen[0];
	size_t		 i;

	if (!proto_valid_room(room, len))
		return NULL;
	/* A flood is in one room: try the room of the last message first. */
	if (r->seenlast != NULL && strlen(r->seenlast->room) == len &&
	    memcmp(r->seenlast->room, room, len) == 0) {
		r->seenlast->used = ++r->seenclock;
		return r->seenlast;
	}
	for (i = 0; i < ROSTER_ROOMS; i++) {
		sn = &r->seen[i];
		if (sn->room[0] != '\0' &&
		    proto_name_eq(sn->room, strlen(sn->room), room, len)) {
			sn->used = ++r->seenclock;
			return r->seenlast = sn;
		}
		if (sn->used < old->used)
			old = sn;
	}
	memset(old, 0, sizeof(*old));
	copy_name(old->room, sizeof(old->room), room, len);
	old->used = ++r->seenclock;
	return r->seenlast = old;
}

static int
is_own(const struct roster *r, const char *nick, size_t len)
{
	return r->nick[0] != '\0' &&
	    proto_name_eq(r->nick, strlen(r->nick), nick, len);
}

static int
is_current(const struct roster *r, const char *room, size_t len)
{
	return r->room[0] != '\0' &&
	    proto_name_eq(r->room, strlen(r->room), room, len);
}

/*
 * True if text holds the own nick as a word, ignoring case.  Every line
 * of a flood passes here: only a word's start whose first letter fits
 * is compared in full.
 */
static int
mentions(const struct roster *r, const char *text, size_t len)
{
	const char	*p = text, *end = text + len, *lo, *up;
	size_t		 n = strlen(r->nick);
	char		 c = r->nick[0];

	if (n == 0 || len < n)
		return 0;
	/* A nick starts with a letter: find it in either case. */
	for (; p + n <= end; p++) {
		lo = memchr(p, c | 0x20, end - p);
		up = memchr(p, c & ~0x20, (lo != NULL ? lo : end) - p);
		if ((p = up != NULL ? up : lo) == NULL || p + n > end)
			return 0;
		if ((p == text || !name_char(p[-1])) &&
		    proto_name_eq(p, n, r->nick, n) &&
		    (p + n == end || !name_char(p[n])))
			return 1;
	}
	return 0;
}

/* A character that may be part of a nick. */
static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void
members_clear(struct roster *r)
{
	size_t	i;

	for (i = 0; i < r->nmembers; i++)
		free(r->members[i]);
	r->nmembers = 0;
}

static int
members_add(struct roster *r, const char *nick, size_t len)
{
	char	**v;
	size_t	  cap;

	if (!proto_valid_nick(nick, len))
		return 0;
	if (r->nmembers == r->capmembers) {
		cap = r->capmembers ? r->capmembers * 2 : 16;
		if ((v = realloc(r->members, cap * sizeof(*v))) == NULL)
			return -1;
		r->members = v;
		r->capmembers = cap;
	}
	if ((r->members[r->nmembers] = malloc(len + 1)) == NULL)
		return -1;
	memcpy(r->members[r->nmembers], nick, len);
	r->members[r->nmembers++][len] = '\0';
	return 0;
}

static void
members_del(struct roster *r, const char *nick, size_t len)
{
	ssize_t	i;

	if ((i = members_find(r, nick, len)) == -1)
		return;
	free(r->members[i]);
	memmove(&r->members[i], &r->members[i + 1],
	    (r->nmembers - i - 1) * sizeof(*r->members));
	r->nmembers--;
}

static ssize_t
members_find(const struct roster *r, const char *nick, size_t len)
{
	size_t	i;

	for (i = 0; i < r->nmembers; i++)
		if (proto_name_eq(r->members[i], strlen(r->members[i]),
		    nick, len))
			return i;
	return -1;
}

static void
copy_name(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}
