/*
 * test_server_store.c: the memory history store: ids per room without a
 * hole, epochs never reused, reads after an id across the ring's turn,
 * and a ring of nothing that still numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store.h"

static uint64_t
add(struct store_room *r, const char *nick, const char *text)
{
	struct store_msg	m;

	memset(&m, 0, sizeof(m));
	m.ts = 1000;
	m.kind = FRAME_MSG;
	m.nick = nick;
	m.nicklen = strlen(nick);
	m.text = text;
	m.textlen = strlen(text);
	return store_append(r, &m);
}

static void
test_ids_and_epochs(void **state)
{
	struct store		*st = store_mem_new(10);
	struct store_room	*a, *b, *again;
	uint64_t		 ea, t1, t2;

	(void)state;
	a = store_open(st, "lobby");
	b = store_open(st, "dev");
	assert_true(store_epoch(b) > store_epoch(a));
	assert_int_equal(store_last(a), 0);
	assert_int_equal(store_first(a), 1);
	assert_int_equal(add(a, "x", "one"), 1);
	assert_int_equal(add(a, "x", "two"), 2);
	assert_int_equal(add(b, "y", "first in dev"), 1);
	assert_int_equal(store_last(a), 2);
	assert_int_equal(store_first(a), 1);
	/* A room opened again is a new room: a new epoch, ids from 1. */
	ea = store_epoch(a);
	store_close(a);
	again = store_open(st, "lobby");
	assert_true(store_epoch(again) > ea);
	assert_int_equal(store_last(again), 0);
	/* Memory is durable as soon as it is committed. */
	assert_int_equal(store_commit(st, &t1), 0);
	assert_int_equal(store_commit(st, &t2), 0);
	assert_true(t2 > t1 && store_synced(st) == t2);
	assert_int_equal(store_fd(st), -1);
	store_close(again);
	store_close(b);
	store_free(st);
}

static void
test_read_after(void **state)
{
	struct store		*st = store_mem_new(4);
	struct store_room	*r = store_open(st, "lobby");
	struct store_msg	 out[8];
	char			 text[16];
	size_t			 n;
	int			 i;

	(void)state;
	for (i = 1; i <= 10; i++) {
		snprintf(text, sizeof(text), "m%d", i);
		assert_int_equal(add(r, "nick", text), (uint64_t)i);
	}
	/* The ring holds the last four: 7 to 10. */
	assert_int_equal(store_first(r), 7);
	assert_int_equal(store_last(r), 10);
	n = store_read(r, 0, out, 8);
	assert_int_equal(n, 4);
	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), "m%d", 7 + i);
		assert_int_equal(out[i].id, 7 + (uint64_t)i);
		assert_int_equal(out[i].textlen, strlen(text));
		assert_memory_equal(out[i].text, text, out[i].textlen);
		assert_int_equal(out[i].nicklen, 4);
		assert_int_equal(out[i].kind, FRAME_MSG);
		assert_int_equal(out[i].ts, 1000);
	}
	n = store_read(r, 8, out, 8);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].id, 9);
	n = store_read(r, 8, out, 1);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].id, 9);
	assert_int_equal(store_read(r, 10, out, 8), 0);
	assert_int_equal(store_read(r, UINT64_MAX, out, 8), 0);
	store_close(r);
	store_free(st);
}

/* Keeping nothing still gives every message its id. */
static void
test_keep_nothing(void **state)
{
	struct store		*st = store_mem_new(0);
	struct store_room	*r = store_open(st, "lobby");
	struct store_msg	 out[2];

	(void)state;
	assert_int_equal(add(r, "a", "x"), 1);
	assert_int_equal(add(r, "a", "y"), 2);
	assert_int_equal(store_first(r), 3);
	assert_int_equal(store_read(r, 0, out, 2), 0);
	store_close(r);
	store_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_and_epochs),
		cmocka_unit_test(test_read_after),
		cmocka_unit_test(test_keep_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
