/*
 * server.h: the server's shared state and settings, handed to every
 * module instead of globals.
 */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "proto.h"
#include "text.h"

#define SERVER_MAXLISTEN	8
#define SERVER_NICKBUCKETS	1024
#define SERVER_SCRATCH		(PROTO_MAXFRAME + 1)
#define SERVER_CLEAN	(TEXT_CLEAN_MAX(PROTO_MAXLINE) + 64)

struct conn;
struct console;
struct room;

struct config {
	const char	*listen;	/* NULL: every local address */
	const char	*port;
	int		 max_clients;	/* 0: as many as select() allows */
	unsigned	 history;	/* lines kept and replayed per room */
	size_t		 sendq;		/* cap on a client's queued bytes */
	double		 flood_rate;	/* lines per second; 0: off */
	double		 flood_burst;
	unsigned	 dead_secs;	/* silence that drops a frame client */
	char		**motd;		/* lines, NULL-terminated; or NULL */
	int		 console;	/* watch stdin */
};

struct server {
	struct config		 cf;
	struct loop		*loop;
	int			 lfd[SERVER_MAXLISTEN];
	int			 nlisten;
	int			 paused;	/* accept paused after EMFILE */
	struct loop_timer	 pause_timer;
	struct loop_timer	 sweep_timer;
	struct loop_timer	 stop_timer;

	struct conn		*conns;		/* every connection */
	int			 nconns;
	int			 nusers;	/* registered */
	struct conn		*nicks[SERVER_NICKBUCKETS];
	unsigned		 guest;		/* last guest number given */

	struct room		*rooms;		/* lobby first */
	struct room		*lobby;
	struct room		*dirty;		/* broadcasts not yet queued */
	uint64_t		 last_epoch;

	struct conn		*flushq;	/* conns with new output */
	struct conn		*overflowq;	/* past their send queue */
	struct conn		*reapq;		/* closed, to free */

	int			 shutting_down;
	int			 stdin_open;
	struct console		*console;

	char			 scratch[SERVER_SCRATCH];
	char			 clean[SERVER_CLEAN];
};

/* Milliseconds since 1970 UTC, for frame timestamps and epochs. */
int64_t	server_time_ms(void);

#endif /* SERVER_H */
