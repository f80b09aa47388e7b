/*
 * complete.c: Tab completion of the word before the cursor, a nick or a
 * command, cycling through the candidates on further presses.  What the
 * first press started from is kept in the edit's mark.
 */
#include <stdint.h>
#include <string.h>

#include "complete.h"
#include "edit.h"

static int	matches(const char *, const char *, size_t);
static void	start_word(struct edit *, struct edit_mark *);

/* True if cand begins with the n bytes of prefix, ignoring ASCII case. */
static int
matches(const char *cand, const char *prefix, size_t n)
{
	unsigned char	 a, b;
	size_t		 i;

	for (i = 0; i < n; i++) {
		a = (unsigned char)cand[i];
		b = (unsigned char)prefix[i];
		if (a == '\0')
			return 0;
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return 0;
	}
	return cand[0] != '\0';
}

/* The word before the cursor, as a first press sees it. */
static void
start_word(struct edit *e, struct edit_mark *m)
{
	const char	*text = edit_text(e, NULL);
	size_t		 cur = edit_cursor(e), from = cur;

	while (from > 0 && text[from - 1] != ' ')
		from--;
	m->cmd = from == 0 && cur > 0 && text[0] == '/';
	m->from = m->cmd ? 1 : from;
	m->plen = cur - m->from;
	m->idx = SIZE_MAX;
}

int
complete_word(struct edit *e, const char *const *nicks, size_t nnicks,
    const char *const *cmds, size_t ncmds, int again)
{
	struct edit_mark	 m;
	const char *const	*cand;
	const char		*prefix;
	char			 repl[EDIT_MAX + 3];
	size_t			 n, i, k, first, pick = 0, clen;
	int			 count = 0;

	if (!again || edit_get_mark(e, &m) == -1 ||
	    m.from + m.plen > edit_cursor(e))
		start_word(e, &m);
	if (!m.cmd && m.plen == 0)
		return 0;
	cand = m.cmd ? cmds : nicks;
	n = m.cmd ? ncmds : nnicks;
	prefix = edit_text(e, NULL) + m.from;

	first = m.idx == SIZE_MAX ? 0 : m.idx + 1;
	for (k = 0; k < n; k++) {
		i = (first + k) % n;
		if (!matches(cand[i], prefix, m.plen))
			continue;
		if (count++ == 0)
			pick = i;
	}
	if (count == 0)
		return 0;

	clen = strlen(cand[pick]);
	if (clen > EDIT_MAX)
		return 0;
	memcpy(repl, cand[pick], clen);
	if (!m.cmd && m.from == 0)
		repl[clen++] = ':';
	repl[clen++] = ' ';
	if (edit_replace(e, m.from, repl, clen) == -1)
		return 0;
	m.idx = pick;
	edit_set_mark(e, &m);
	return count;
}
