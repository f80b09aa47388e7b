/*
 * check.h: what the fuzz targets share: a failing check that aborts (so
 * libFuzzer keeps the input), and a strict UTF-8 decoder of their own so
 * that a bug in common/text.c cannot vouch for itself.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_CHECK(c) do {						\
	if (!(c))							\
		fuzz_fail(#c, __FILE__, __LINE__);			\
} while (0)

/* Prints the failed condition and aborts. */
_Noreturn void	fuzz_fail(const char *, const char *, int);

/*
 * Decodes one strict UTF-8 character at s (len > 0): returns its length
 * and stores it in *cp, or returns 0 if the bytes there are not one.
 */
size_t	fuzz_utf8(const char *s, size_t len, uint32_t *cp);

/*
 * Valid UTF-8 without C0 controls, DEL, C1 controls or the zero-width
 * U+200B, U+2060 and U+FEFF.
 */
int	fuzz_clean(const char *, size_t);

/*
 * What may reach a terminal: fuzz_clean() and no bidirectional control
 * and nothing wcwidth() calls unprintable (needs a UTF-8 locale).
 */
int	fuzz_safe(const char *, size_t);

/* The libFuzzer entry points; check.c gives every target its locale. */
int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif /* CHECK_H */
