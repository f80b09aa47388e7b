/*
 * lineq.h: the lines a person typed that the server may not have yet:
 * those held while the link is not up, and those queued on the link but
 * perhaps not yet written.  Pure: it never touches a socket.
 */
#ifndef LINEQ_H
#define LINEQ_H

#include <stddef.h>
#include <stdint.h>

struct lineq;

struct lineq	*lineq_new(void);		/* NULL if out of memory */
void		 lineq_free(struct lineq *);

/* Holds a copy of a line until it can be sent; -1 if out of memory. */
int		 lineq_hold(struct lineq *, const char *line, size_t len);

/* Lines held, and the i-th of them (oldest first, NUL-terminated, its
 * length in *len unless len is NULL); NULL past the end. */
size_t		 lineq_nheld(const struct lineq *);
const char	*lineq_held(const struct lineq *, size_t i, size_t *len);

/*
 * The oldest held line was queued on the link, where it ends at byte end
 * of the connection's stream: it is kept until that byte is written.
 */
void		 lineq_move(struct lineq *, uint64_t end);

/* The link has written its first written bytes: lines that end there
 * are gone for good. */
void		 lineq_written(struct lineq *, uint64_t written);

/*
 * The link was lost after written bytes: queued lines not wholly written
 * are held again, in order, in front of those held before.
 */
void		 lineq_lost(struct lineq *, uint64_t written);

#endif /* LINEQ_H */
