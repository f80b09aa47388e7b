/*
 * token.h: names for typed lines that no other line of any client has
 * or will have (protocol 2's tokens): a random key drawn once, a dot and
 * a counter.
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_KEYLEN	16			/* hex digits */
#define TOKEN_MAX	(TOKEN_KEYLEN + 1 + 20)	/* key, dot, counter */

struct token {
	char		 key[TOKEN_KEYLEN + 1];
	uint64_t	 count;			/* tokens made */
};

/*
 * Draws the key from the system's random source; never fails (with no
 * source, the time and the process id stand in, which is weaker).
 */
void	token_init(struct token *);

/* Writes the next token, NUL-terminated, into buf (TOKEN_MAX + 1 bytes);
 * returns its length. */
size_t	token_next(struct token *, char *buf);

#endif /* TOKEN_H */
