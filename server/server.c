/*
 * server.c: small helpers for the server's shared state.
 */
#include <time.h>

#include "server.h"

int64_t
server_time_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
