#!/usr/bin/python3
"""Load test of chat-server at a modest size: 1,000 concurrent text-mode
clients in one room (driven by one epoll loop), 10 of them sending 100
messages each at the default flood limits.  Every client receives every
message of the others, each sender's in order, all in one order; the
server stays inside FD_SETSIZE, and once everyone has left its
descriptors are back and its RSS is back within a small margin.

LOAD_CLIENTS, LOAD_SENDERS and LOAD_MESSAGES change the size (the README
gives a bigger run)."""

import os
import re
import time

from chatlib import (Crowd, Server, check, instrumented, raise_nofile,
                     run_tests, scaled)

CLIENTS = int(os.environ.get("LOAD_CLIENTS", 1000))
SENDERS = int(os.environ.get("LOAD_SENDERS", 10))
MESSAGES = int(os.environ.get("LOAD_MESSAGES", 100))
RSS_MARGIN_KB = 1024

WELCOME = re.compile(rb"^\*\*\* welcome .*you are (\S+)")
MSG = re.compile(rb"^<(\S+)> m(\d+)$")


def figure(name, value):
    print("     %-34s %s" % (name, value))


def test_load():
    raise_nofile(CLIENTS + 200)
    with Server() as srv:
        # Warm up with a few clients, then measure the idle server.
        warm = Crowd(srv.port, 20)
        for i in range(20):
            warm.send(i, "\n/who")
        warm.pump(lambda: all(any(l.startswith(b"*** users in lobby")
                                  for l in x) for x in warm.lines), 10,
                  "warm-up clients in")
        for i in range(20):
            warm.send(i, "warm %d" % i)
        warm.pump(lambda: all(sum(1 for l in x if l.startswith(b"<"))
                              == 19 for x in warm.lines), 10,
                  "warm-up messages")
        warm.close_all()
        deadline = time.monotonic() + scaled(10)
        while srv.count_log(r"disconnect from") < 20:
            check(time.monotonic() < deadline, "warm-up clients gone")
            time.sleep(0.05)
        fds0, rss0 = srv.fds(), srv.rss_kb()

        nick = [None] * CLIENTS
        got = [0] * CLIENTS
        last = [dict() for _ in range(CLIENTS)]
        bad = []

        def on_line(i, line):
            m = MSG.match(line)
            if m:
                s, q = m.group(1), int(m.group(2))
                if last[i].get(s, -1) != q - 1 and len(bad) < 10:
                    bad.append((i, s, last[i].get(s), q))
                last[i][s] = q
                got[i] += 1
            elif nick[i] is None:
                m = WELCOME.match(line)
                if m:
                    nick[i] = m.group(1)

        t0 = time.monotonic()
        crowd = Crowd(srv.port, 0, on_line=on_line)
        # All at once: the listen backlog holds every handshake.
        while len(crowd) < CLIENTS:
            crowd.send(crowd.add(srv.port), "")
        crowd.pump(lambda: all(nick), 30, "every client welcomed")
        # Once the last to join has been heard by all, all are in.
        crowd.send(CLIENTS - 1, "m0")
        crowd.pump(lambda: sum(got) == CLIENTS - 1, 60, "all in the room")
        t1 = time.monotonic()
        fds1, rss1 = srv.fds(), srv.rss_kb()
        for i in range(CLIENTS):
            got[i] = 0
            last[i].clear()
        senders = list(range(SENDERS))
        for s in senders:
            crowd.send(s, b"".join(b"m%d\n" % q for q in range(MESSAGES)))
        want = [(SENDERS - (i in senders)) * MESSAGES for i in range(CLIENTS)]
        cpu0 = srv.cpu()
        crowd.pump(lambda: got == want or bad, 120,
                   "every message everywhere (%d of %d so far)"
                   % (sum(got), sum(want)))
        t2 = time.monotonic()
        cpu1 = srv.cpu()
        rss2 = srv.rss_kb()
        check(not bad, "each sender's messages in order: %r" % bad)
        for i in range(CLIENTS):
            for s in senders:
                if s != i:
                    check(last[i].get(nick[s]) == MESSAGES - 1,
                          "client %d has all of sender %d" % (i, s))
        check(not any(crowd.eof), "nobody dropped")
        crowd.close_all()
        deadline = time.monotonic() + scaled(20)
        while srv.fds() != fds0:
            check(time.monotonic() < deadline, "descriptors back: %d, not %d"
                  % (srv.fds(), fds0))
            time.sleep(0.1)
        # Idle buffers go at the next sweep, once a second.
        deadline = time.monotonic() + scaled(3)
        while (srv.rss_kb() > rss0 + RSS_MARGIN_KB and
               time.monotonic() < deadline):
            time.sleep(0.1)
        rss3 = srv.rss_kb()
        figure("clients, senders x messages", "%d, %d x %d"
               % (CLIENTS, SENDERS, MESSAGES))
        figure("lines delivered", sum(want))
        figure("connect and join", "%.1f s" % (t1 - t0))
        figure("messages delivered in", "%.1f s (server CPU %.1f s)"
               % (t2 - t1, cpu1 - cpu0))
        figure("descriptors idle/loaded/after", "%d / %d / %d"
               % (fds0, fds1, srv.fds()))
        figure("RSS idle/joined/sent/after", "%d / %d / %d / %d kB"
               % (rss0, rss1, rss2, rss3))
        check(fds1 <= 1024, "inside FD_SETSIZE")
        why = instrumented()
        if why:
            figure("RSS check", "skipped: the server %s" % why)
        else:
            check(rss3 <= rss0 + RSS_MARGIN_KB, "RSS back within %d kB: "
                  "%d -> %d kB" % (RSS_MARGIN_KB, rss0, rss3))


if __name__ == "__main__":
    run_tests([("load", test_load)], per_test=240)
