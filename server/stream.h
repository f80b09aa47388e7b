/*
 * stream.h: the byte stream under a connection: read, write, what it must
 * be watched for on its own account, bytes it has read but not handed
 * out, and close.  Plain sockets today (stream_plain()); an encrypted
 * stream plugs in behind the same table without touching conn's queues.
 */
#ifndef STREAM_H
#define STREAM_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>

struct stream;

/*
 * A backend's calls.  read and writev return bytes, 0 at the end of the
 * input (read only), or -1 with errno (EAGAIN: not now; then events()
 * may say what the stream waits for).  A write that returned EAGAIN is
 * retried with the same bytes.
 */
struct stream_ops {
	ssize_t	(*read)(struct stream *, void *, size_t);
	ssize_t	(*writev)(struct stream *, const struct iovec *, int);
	/* LOOP_READ or LOOP_WRITE the stream needs for itself, or 0. */
	int	(*events)(const struct stream *);
	/* Bytes read from the descriptor and not yet returned by read. */
	size_t	(*pending)(const struct stream *);
	/* Ends the output: nothing more will be written. */
	int	(*shutdown)(struct stream *);
	/* Closes the descriptor and frees the stream. */
	void	(*close)(struct stream *);
};

/* A backend's stream starts with this. */
struct stream {
	const struct stream_ops	*ops;
	int			 fd;
};

/* A stream over a connected, non-blocking socket; NULL if no memory. */
struct stream	*stream_plain(int fd);

ssize_t	 stream_read(struct stream *, void *, size_t);
ssize_t	 stream_writev(struct stream *, const struct iovec *, int);
int	 stream_events(const struct stream *);
size_t	 stream_pending(const struct stream *);
int	 stream_shutdown(struct stream *);
void	 stream_close(struct stream *);
int	 stream_fd(const struct stream *);

#endif /* STREAM_H */
