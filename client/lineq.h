/*
 * lineq.h: the lines a person typed that the server may not have yet:
 * those held while the link is not up, and those sent on the link that
 * it has not confirmed.  A line with a token (a message or an action) is
 * confirmed by the server's ack of it, any other line by being written.
 * Pure: it never touches a socket.
 */
#ifndef LINEQ_H
#define LINEQ_H

#include <stddef.h>
#include <stdint.h>

struct lineq;

struct lineq	*lineq_new(void);		/* NULL if out of memory */
void		 lineq_free(struct lineq *);

/*
 * Holds a copy of a line until it can be sent, with a token or (tok
 * NULL) without; -1 if out of memory.  The token goes in front of the
 * line as sent: "@TOKEN line".
 */
int		 lineq_hold(struct lineq *, const char *line, size_t len);
int		 lineq_hold_tagged(struct lineq *, const char *tok,
		    size_t toklen, const char *line, size_t len);

/* Lines held, and the i-th of them as typed (oldest first, NUL-
 * terminated, its length in *len unless len is NULL); NULL past the end. */
size_t		 lineq_nheld(const struct lineq *);
const char	*lineq_held(const struct lineq *, size_t i, size_t *len);

/* The oldest held line as it goes out, with its token; NULL if none. */
const char	*lineq_out(const struct lineq *, size_t *len);

/*
 * The oldest held line was queued on the link, where it ends at byte end
 * of the connection's stream: it is kept until confirmed.
 */
void		 lineq_move(struct lineq *, uint64_t end);

/* The link has written its first written bytes: lines without a token
 * that end there are confirmed. */
void		 lineq_written(struct lineq *, uint64_t written);

/*
 * The server acknowledged the token (toklen bytes): its line, sent on
 * the link, is confirmed, taken or refused.  0 if no such line waits.
 */
int		 lineq_acked(struct lineq *, const char *tok, size_t toklen);

/*
 * The link was lost after written bytes: sent lines not confirmed are
 * held again, in order, in front of those held before.
 */
void		 lineq_lost(struct lineq *, uint64_t written);

/* Lines not yet confirmed, held or sent; of those, lines with a token. */
size_t		 lineq_nkept(const struct lineq *);
size_t		 lineq_nunacked(const struct lineq *);

#endif /* LINEQ_H */
