/*
 * complete.h: Tab completion of nicks and commands on the input line.
 */
#ifndef COMPLETE_H
#define COMPLETE_H

#include <stddef.h>

struct edit;

/*
 * Completes the word before the cursor: a word starting with '/' at the
 * start of the line against cmds (names without the slash), anything
 * else against nicks, ignoring case.  A nick completed at the start of
 * the line gets ": " after it, elsewhere a space.  Pressing Tab again
 * (again set) cycles through the other candidates in order.  Returns
 * the number of candidates (0: nothing changed).
 */
int	complete_word(struct edit *, const char *const *nicks, size_t nnicks,
	    const char *const *cmds, size_t ncmds, int again);

#endif /* COMPLETE_H */
