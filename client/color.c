/*
 * color.c: a nick's colour from FNV-1a over its lowercased bytes, so a
 * nick keeps its colour across sessions and changes of case.
 */
#include <stdint.h>

#include "color.h"

#define FNV_OFFSET	2166136261u
#define FNV_PRIME	16777619u

int
nick_color(const char *nick, size_t len, int ncolors)
{
	uint32_t	 h = FNV_OFFSET;
	unsigned char	 c;
	size_t		 i;

	if (ncolors <= 1)
		return 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)nick[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h ^= c;
		h *= FNV_PRIME;
	}
	return (int)(h % (uint32_t)ncolors);
}
