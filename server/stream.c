/*
 * stream.c: calls through a stream's table, and the plain socket
 * backend, which holds nothing of its own and needs nothing watched.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <unistd.h>

#include "outq.h"
#include "stream.h"

static ssize_t	plain_read(struct stream *, void *, size_t);
static ssize_t	plain_writev(struct stream *, const struct iovec *, int);
static int	plain_events(const struct stream *);
static size_t	plain_pending(const struct stream *);
static int	plain_shutdown(struct stream *);
static void	plain_close(struct stream *);

static const struct stream_ops plain_ops = {
	plain_read, plain_writev, plain_events, plain_pending,
	plain_shutdown, plain_close
};

struct stream *
stream_plain(int fd)
{
	struct stream	*s;

	if ((s = malloc(sizeof(*s))) == NULL)
		return NULL;
	s->ops = &plain_ops;
	s->fd = fd;
	return s;
}

static ssize_t
plain_read(struct stream *s, void *buf, size_t len)
{
	return read(s->fd, buf, len);
}

/* send() for one range, as outq's descriptor writer does. */
static ssize_t
plain_writev(struct stream *s, const struct iovec *iov, int n)
{
	return outq_write_fd(&s->fd, iov, n);
}

static int
plain_events(const struct stream *s)
{
	(void)s;
	return 0;
}

static size_t
plain_pending(const struct stream *s)
{
	(void)s;
	return 0;
}

static int
plain_shutdown(struct stream *s)
{
	return shutdown(s->fd, SHUT_WR);
}

static void
plain_close(struct stream *s)
{
	close(s->fd);
	free(s);
}

ssize_t
stream_read(struct stream *s, void *buf, size_t len)
{
	return s->ops->read(s, buf, len);
}

ssize_t
stream_writev(struct stream *s, const struct iovec *iov, int n)
{
	return s->ops->writev(s, iov, n);
}

int
stream_events(const struct stream *s)
{
	return s->ops->events(s);
}

size_t
stream_pending(const struct stream *s)
{
	return s->ops->pending(s);
}

int
stream_shutdown(struct stream *s)
{
	return s->ops->shutdown(s);
}

void
stream_close(struct stream *s)
{
	if (s != NULL)
		s->ops->close(s);
}

int
stream_fd(const struct stream *s)
{
	return s->fd;
}
