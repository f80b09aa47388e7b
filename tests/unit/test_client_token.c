/*
 * test_client_token.c: tokens for typed lines: valid as protocol 2
 * says, of one key and a growing counter, never twice, and of another
 * key for another start.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "proto.h"
#include "token.h"

static void
test_form(void **state)
{
	struct token	 t;
	char		 buf[TOKEN_MAX + 1], want[TOKEN_MAX + 1];
	size_t		 i, len;

	(void)state;
	assert_true(TOKEN_MAX <= PROTO_TOKENMAX);
	token_init(&t);
	assert_int_equal(strlen(t.key), TOKEN_KEYLEN);
	assert_int_equal(strspn(t.key, "0123456789abcdef"), TOKEN_KEYLEN);
	for (i = 1; i <= 1000; i++) {
		len = token_next(&t, buf);
		assert_int_equal(len, strlen(buf));
		assert_true(proto_valid_token(buf, len));
		snprintf(want, sizeof(want), "%s.%zu", t.key, i);
		assert_string_equal(buf, want);
	}
	/* The longest counter still fits. */
	t.count = UINT64_MAX - 1;
	len = token_next(&t, buf);
	assert_int_equal(len, TOKEN_MAX);
	assert_true(proto_valid_token(buf, len));
}

/* Two starts draw two keys (equal by chance once in 2^64). */
static void
test_keys_differ(void **state)
{
	struct token	 a, b;

	(void)state;
	token_init(&a);
	token_init(&b);
	assert_string_not_equal(a.key, b.key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_keys_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
