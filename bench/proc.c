/*
 * proc.c: the figures the generator reads about processes: the server's
 * CPU time and resident set from /proc, its own CPU time, the clock.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static int	proc_read(long, const char *, char *, size_t);

int
proc_cpu(long pid, double *secs)
{
	char			 buf[1024], *p;
	unsigned long		 ut, st;
	long			 hz = sysconf(_SC_CLK_TCK);

	if (proc_read(pid, "stat", buf, sizeof(buf)) == -1)
		return -1;
	/* The command name may hold spaces and parentheses: skip past it. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%lu %lu", &ut, &st) != 2 || hz <= 0)
		return -1;
	*secs = (double)(ut + st) / (double)hz;
	return 0;
}

int
proc_rss_kb(long pid, long *kb)
{
	char	 buf[4096], *p;

	if (proc_read(pid, "status", buf, sizeof(buf)) == -1 ||
	    (p = strstr(buf, "\nVmRSS:")) == NULL ||
	    sscanf(p + 7, "%ld", kb) != 1)
		return -1;
	return 0;
}

int
proc_host_cpu(double *secs)
{
	char		 buf[512];
	unsigned long	 v[8];
	long		 hz = sysconf(_SC_CLK_TCK);
	FILE		*f;

	if ((f = fopen("/proc/stat", "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL ||
	    sscanf(buf, "cpu %lu %lu %lu %lu %lu %lu %lu %lu", &v[0], &v[1],
	    &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8 || hz <= 0) {
		fclose(f);
		return -1;
	}
	fclose(f);
	/* Everything but idle (v[3]) and iowait (v[4]). */
	*secs = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
	    (double)hz;
	return 0;
}

uint64_t
mono_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double
self_cpu(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == -1)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads /proc/PID/NAME into buf as a string; 0 or -1. */
static int
proc_read(long pid, const char *name, char *buf, size_t cap)
{
	char	 path[64];
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof(path), "/proc/%ld/%s", pid, name);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n > 0 ? 0 : -1;
}
