/*
 * roster.h: what the server told this client: who it is (and the nick
 * it wants back), which room it is in and with whom, and how far it has
 * read each room, the point a reconnect resumes from.  Pure: frames go
 * in, and it never touches a socket or a clock.
 */
#ifndef ROSTER_H
#define ROSTER_H

#include <stddef.h>
#include <stdint.h>

struct frame;
struct hello;
struct roster;

/* Flags roster_note() gives a frame. */
#define ROSTER_REPLAY	0x01	/* part of a history replay */
#define ROSTER_OWN	0x02	/* msg or act by the own nick */
#define ROSTER_MENTION	0x04	/* msg, act or priv naming the own nick */

/* How often to ask again for a nick an old connection still holds. */
#define ROSTER_RECLAIM_MS	15000

/* A roster for one who wants nick (NULL: the server's guest nick). */
struct roster	*roster_new(const char *nick);	/* NULL if out of memory */
void		 roster_free(struct roster *);

/*
 * Takes note of a frame that arrived at now (monotonic ms) and returns
 * its flags.
 */
int		 roster_note(struct roster *, const struct frame *,
		    int64_t now);

/* Fills in the nick, room and resume point of a new connection's hello. */
void		 roster_hello(struct roster *, struct hello *);

/* The connection is gone: no members, no replay in progress. */
void		 roster_lost(struct roster *);

/*
 * While the server gives another nick than the one wanted: when to ask
 * for it again (0: no need), and, once that time has come, the nick to
 * ask for (NULL before), which also schedules the next ask.
 */
int64_t		 roster_reclaim_at(const struct roster *);
const char	*roster_reclaim(struct roster *, int64_t now);

const char	*roster_nick(const struct roster *);	/* "" if unknown */
const char	*roster_room(const struct roster *);	/* "" if none */

/* Members of the current room, in the server's order. */
size_t		 roster_nmembers(const struct roster *);
const char *const *roster_members(const struct roster *);

#endif /* ROSTER_H */
