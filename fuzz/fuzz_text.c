/*
 * fuzz_text.c: UTF-8 hygiene.  Whatever the input, text_clean() writes
 * valid UTF-8 without controls, within TEXT_CLEAN_MAX, leaves clean text
 * alone and is idempotent; text_decode() and text_prefix() agree with an
 * independent decoder.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "text.h"

static void	check_clean(const char *, size_t);
static void	check_decode(const char *, size_t);
static void	check_prefix(const char *, size_t, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*in;

	/* An exact copy, so that ASan sees any read past the end. */
	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	check_clean(in, size);
	check_decode(in, size);
	free(in);
	return 0;
}

static void
check_clean(const char *in, size_t len)
{
	char	*out, *again;
	size_t	 n, m;

	out = malloc(TEXT_CLEAN_MAX(len) + 1);
	again = malloc(TEXT_CLEAN_MAX(TEXT_CLEAN_MAX(len)) + 1);
	if (out == NULL || again == NULL)
		abort();
	n = text_clean(in, len, out);
	FUZZ_CHECK(n <= TEXT_CLEAN_MAX(len));
	FUZZ_CHECK(fuzz_clean(out, n));
	if (fuzz_clean(in, len))
		FUZZ_CHECK(n == len && memcmp(out, in, len) == 0);
	m = text_clean(out, n, again);
	FUZZ_CHECK(m == n && memcmp(again, out, n) == 0);
	if (len > 0)
		check_prefix(out, n, (unsigned char)in[0] % (n + 2));
	free(again);
	free(out);
}

/* text_decode() at every offset matches the strict decoder. */
static void
check_decode(const char *in, size_t len)
{
	size_t		i, n, want;
	uint32_t	cp, wcp;

	for (i = 0; i < len; i++) {
		n = text_decode(in + i, len - i, &cp);
		want = fuzz_utf8(in + i, len - i, &wcp);
		FUZZ_CHECK(n == want);
		FUZZ_CHECK(n == 0 ? cp == 0xfffd : cp == wcp);
	}
	FUZZ_CHECK(text_decode(in, 0, &cp) == 0 && cp == 0xfffd);
}

/* On valid UTF-8 the prefix is whole characters, at most max bytes. */
static void
check_prefix(const char *s, size_t len, size_t max)
{
	size_t	p;

	p = text_prefix(s, len, max);
	if (len <= max) {
		FUZZ_CHECK(p == len);
		return;
	}
	FUZZ_CHECK(p <= max && max - p <= 3);
	FUZZ_CHECK(((unsigned char)s[p] & 0xc0) != 0x80);
	FUZZ_CHECK(fuzz_clean(s, p));
}
