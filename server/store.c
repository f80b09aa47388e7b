/*
 * store.c: calls through a history store's table.
 */
#include "store.h"

struct store_room *
store_open(struct store *st, const char *room)
{
	return st->ops->open(st, room);
}

void
store_close(struct store_room *r)
{
	if (r != NULL)
		r->store->ops->close(r);
}

uint64_t
store_epoch(const struct store_room *r)
{
	return r->store->ops->epoch(r);
}

uint64_t
store_last(const struct store_room *r)
{
	return r->store->ops->last(r);
}

uint64_t
store_first(const struct store_room *r)
{
	return r->store->ops->first(r);
}

uint64_t
store_append(struct store_room *r, const struct store_msg *m)
{
	return r->store->ops->append(r, m);
}

size_t
store_read(struct store_room *r, uint64_t after, struct store_msg *out,
    size_t max)
{
	return r->store->ops->read(r, after, out, max);
}

int
store_seen(struct store *st, const char *token, size_t len,
    struct store_seen *out)
{
	return st->ops->seen(st, token, len, out);
}

int
store_commit(struct store *st, uint64_t *ticket)
{
	return st->ops->commit(st, ticket);
}

uint64_t
store_synced(struct store *st)
{
	return st->ops->synced(st);
}

void
store_wait(struct store *st, uint64_t ticket)
{
	st->ops->wait(st, ticket);
}

int
store_fd(struct store *st)
{
	return st->ops->fd(st);
}

void
store_maintain(struct store *st)
{
	st->ops->maintain(st);
}

void
store_free(struct store *st)
{
	if (st != NULL)
		st->ops->free(st);
}
