#!/usr/bin/python3
"""End-to-end tests of chat-server under hostile and unusual conditions:
a client that never reads, a flooding client, a full server, dead frame
links, resume without duplicates, SIGTERM, and the operator console."""

import signal
import socket
import time

from chatlib import Server, check, run_tests


def test_never_reader_dropped():
    with Server("--sendq", "32768", "--flood-rate", "0") as srv:
        slow = srv.client(rcvbuf=4096)
        slow_nick = slow.login()
        a = srv.client()
        an = a.login()
        b = srv.client()
        bn = b.login()
        a.expect(r"%s joined lobby$" % bn)
        # slow stops reading; a talks until the server gives up on slow,
        # while b keeps receiving every line.
        payload = "p" * 1000
        quit = "*** %s quit (send queue exceeded)" % slow_nick
        dropped = False
        for i in range(3000):
            a.send("%d %s" % (i, payload))
            line = b.readline()
            if line == quit:
                dropped = True
                line = b.readline()
            check(line == "<%s> %d %s" % (an, i, payload),
                  "b receives line %d in order" % i)
            if dropped:
                break
        check(dropped, "the never-reader was dropped")
        srv.wait_log(r"disconnect from .* nick %s: send queue exceeded"
                     % slow_nick)
        a.send("after")
        b.expect(r"^<%s> after$" % an)


def test_flood_slowed_not_lost():
    with Server("--flood-rate", "20", "--flood-burst", "5") as srv:
        a = srv.client()
        an = a.login()
        b = srv.client()
        b.login()
        a.expect(r"joined lobby$")
        n = 40
        a.send_raw(b"".join(b"flood %d\n" % i for i in range(n)))
        got = []
        while len(got) < 5:
            got.append(b.readline())
        # Past the burst the server reads 20 lines a second: the rest
        # cannot all be there yet (it would take over a second).
        got += b.quiet(0.2)
        check(len(got) < n, "flood control slowed the sender (%d lines)"
              % len(got))
        while len(got) < n:
            got.append(b.readline(10))
        check(got == ["<%s> flood %d" % (an, i) for i in range(n)],
              "every line, in order")
        # The sender was slowed, not dropped.
        a.send("/ping alive")
        a.expect(r"^\*\*\* pong alive$", 10)


def test_server_full():
    with Server("--max-clients", "2") as srv:
        a = srv.client()
        a.login()
        b = srv.client()
        b.login()
        c = srv.client()
        lines = c.expect_eof()
        check(lines == ["*** error: server full"], "refused: %r" % lines)
        b.send("/quit")
        b.expect_eof()
        srv.wait_log(r"disconnect from .*: quit")
        d = srv.client()
        d.login()


def test_dead_link():
    with Server("--dead-timeout", "1") as srv:
        t = srv.client()
        tn = t.login()
        f = srv.frame_client(nick="ghost")
        f.expect_frame("who")
        live = srv.frame_client(nick="live")
        live.expect_frame("who")
        deadline = time.monotonic() + 6
        # live pings to stay; ghost stays silent and is dropped.
        while time.monotonic() < deadline:
            live.send("/ping k")
            live.expect_frame("pong", lambda x: x.text == "k")
            if any("ghost quit (ping timeout)" in l for l in t.quiet(0.3)):
                break
        else:
            check(False, "silent frame client dropped")
        srv.wait_log(r"nick ghost: ping timeout")
        # A text client silent just as long is never dropped.
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            live.send("/ping k")
            live.expect_frame("pong", lambda x: x.text == "k")
            time.sleep(0.3)
        t.send("/who")
        t.expect(r"^\*\*\* users in lobby \(2\): %s live$" % tn)


def test_resume_no_duplicates():
    with Server("-H", "10") as srv:
        a = srv.client()
        a.login()
        f = srv.frame_client(nick="res", room="lobby")
        h = f.expect_frame("hello")
        f.expect_frame("who")
        for i in range(3):
            a.send("before %d" % i)
        seen = [f.expect_frame("msg") for _ in range(3)]
        last = seen[-1].id
        f.close()
        a.expect(r"res quit")
        for i in range(4):
            a.send("missed %d" % i)
        time.sleep(0.2)
        g = srv.frame_client(nick="res", room="lobby", epoch=h.epoch,
                             last=last)
        got = g.frames_until("who")
        kinds = [x.kind for x in got]
        check(kinds[0] == "hello", "hello first: %r" % kinds)
        r = [x for x in got if x.kind == "replay"]
        check(len(r) == 1 and r[0].text == "4 messages", "replay %r" % r)
        msgs = [x for x in got if x.kind == "msg"]
        check([m.text for m in msgs] == ["missed %d" % i for i in range(4)],
              "exactly the missed messages: %r" % [m.text for m in msgs])
        check([m.id for m in msgs] == list(range(last + 1, last + 5)),
              "their ids follow")
        check(kinds.index("replay") < kinds.index("join") <
              kinds.index("who"), "replay, join, who: %r" % kinds)
        a.send("live")
        m = g.expect_frame("msg")
        check(m.text == "live" and m.id == last + 5, "live after replay")
        # Too old a gap: a notice, then what history holds.
        for i in range(12):
            a.send("more %d" % i)
        for i in range(12):
            g.expect_frame("msg")
        g.close()
        a.expect(r"res quit")
        k = srv.frame_client(nick="res", epoch=h.epoch, last=1)
        got = k.frames_until("who")
        notes = [x.text for x in got if x.kind == "notice"]
        check(any("missed" in n for n in notes), "gap notice: %r" % notes)
        check(len([x for x in got if x.kind == "msg"]) == 10,
              "history's 10 messages")
        # Another epoch: a notice that the room restarted, and history.
        k.close()
        z = srv.frame_client(nick="res", epoch=h.epoch + 12345, last=3)
        got = z.frames_until("who")
        check(any(x.kind == "notice" and "restarted" in x.text
                  for x in got), "epoch change noticed")


def test_hello_versions():
    with Server() as srv:
        c = srv.client()
        c.send("CHAT/2 nick=x")
        lines = c.expect_eof()
        check(lines == ["*** error: unsupported protocol version 2 "
                        "(this server speaks 1)"], "version 2: %r" % lines)
        t = srv.frame_client(nick="same")
        t.expect_frame("who")
        u = srv.frame_client(nick="SAME")
        h = u.expect_frame("hello")
        check(h.nick.startswith("guest"), "taken nick: a guest nick")
        u.expect_frame("error", lambda x: "already in use" in x.text)


def test_sigterm_shutdown():
    srv = Server()
    try:
        a = srv.client()
        a.login()
        f = srv.frame_client(nick="fr")
        f.expect_frame("who")
        srv.signal(signal.SIGTERM)
        a.expect(r"^\*\*\* server shutting down$")
        check(a.expect_eof() == [], "closed after the notice")
        f.expect_frame("shutdown", lambda x: x.text == "server shutting down")
        check(srv.wait(5) == 0, "exit status 0")
    finally:
        srv.kill()
    srv.check_sanitizer()
    srv = Server()
    try:
        srv.signal(signal.SIGINT)
        check(srv.wait(5) == 0, "SIGINT: exit status 0")
    finally:
        srv.kill()
    srv.check_sanitizer()


def test_console():
    srv = Server(stdin=True)
    try:
        a = srv.client()
        an = a.login()
        b = srv.client()
        bn = b.login()
        b.send("/join dev")
        b.expect(r"joined dev$")
        srv.console("hello everyone")
        a.expect(r"^\*\*\* \[server\] hello everyone$")
        b.expect(r"^\*\*\* \[server\] hello everyone$")
        srv.console("/who")
        srv.wait_out(r"^2 users online$")
        srv.wait_out(r"^lobby \(1\): %s$" % an)
        srv.wait_out(r"^dev \(1\): %s$" % bn)
        srv.console("/kick nobody")
        srv.wait_out(r"no such nick: nobody")
        srv.console("/kick %s be nice" % bn)
        lines = b.expect_eof()
        check("*** %s quit (kicked: be nice)" % bn in lines,
              "kicked user told: %r" % lines)
        srv.wait_log(r"nick %s: kicked" % bn)
        srv.console("/shutdown")
        a.expect(r"^\*\*\* server shutting down$")
        check(srv.wait(5) == 0, "console /shutdown exits 0")
    finally:
        srv.kill()
    srv.check_sanitizer()
    # EOF on stdin only stops the console.
    with Server() as srv:
        srv.wait_log(r"console: end of input")
        c = srv.client()
        c.login()


if __name__ == "__main__":
    run_tests([(n[5:], f) for n, f in sorted(globals().items())
               if n.startswith("test_") and callable(f)])
