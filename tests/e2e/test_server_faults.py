#!/usr/bin/python3
"""End-to-end tests of chat-server under hostile and unusual conditions:
a client that never reads, a reader that pauses, a flooding client, a
history no send queue could hold, a full server, dead frame links, resume
without duplicates, SIGTERM, SIGHUP, and the operator console."""

import os
import re
import signal
import socket
import tempfile
import threading
import time

from chatlib import Server, check, run_tests, scaled


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


def test_soft_limit_in_time():
    # Over the soft limit but under the hard one, a never-reader is
    # dropped once it has stayed over for --sendq-time; a quiet room does
    # not keep it alive.
    with Server("--sendq", "16384", "--sendq-time", "1",
                "--flood-rate", "0") as srv:
        slow = srv.client(rcvbuf=4096)
        slow_nick = slow.login()
        a = srv.client()
        an = a.login()
        payload = "p" * 1000
        for i in range(100):
            a.send("%d %s" % (i, payload))
        a.expect(r"^\*\*\* %s quit \(send queue exceeded\)$" % slow_nick,
                 timeout=5)
        srv.wait_log(r"disconnect from .* nick %s: send queue exceeded"
                     % slow_nick)
        a.send("after")
        a.send("/who")
        a.expect(r"^\*\*\* users in lobby \(1\): %s$" % an)


def test_pausing_reader_kept():
    # 4 KB lines at about 20 MB/s with flood control off; readers that
    # read everything but pause 40 or 50 ms every 400 ms are a moment
    # over the queue's soft limit, not slow consumers.
    n, size, per_ms = 8000, 4000, 5
    with Server("--flood-rate", "0") as srv:
        readers = [srv.client() for _ in range(2)]
        for r in readers:
            r.login()
        s = srv.client()
        sn = s.login()
        for r in readers:
            r.expect(r"^\*\*\* %s joined lobby$" % sn)
        got = [[] for _ in readers]
        dropped = [False for _ in readers]

        def read(k, pause):
            sock = readers[k].sock
            buf = readers[k].buf
            rx = re.compile(rb"^<%s> (\d+) " % sn.encode())
            next_pause = time.monotonic() + 0.4
            deadline = time.monotonic() + scaled(60)
            sock.settimeout(1)
            while len(got[k]) < n and time.monotonic() < deadline:
                if time.monotonic() >= next_pause:
                    time.sleep(pause)
                    next_pause = time.monotonic() + 0.4
                # As chat-client does: on loopback a segment is 64 KiB,
                # more than the server's 32 KiB send buffer, and a delayed
                # ACK would hold each one back 40 ms.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
                try:
                    data = sock.recv(1 << 20)
                except socket.timeout:
                    continue
                if not data:
                    break
                lines = (buf + data).split(b"\r\n")
                buf = lines.pop()
                for line in lines:
                    m = rx.match(line)
                    if m:
                        got[k].append(int(m.group(1)))
                    elif b"send queue exceeded" in line:
                        dropped[k] = True

        threads = [threading.Thread(target=read, args=(k, p))
                   for k, p in enumerate((0.04, 0.05))]
        for t in threads:
            t.start()
        pad = b"x" * size
        t0 = time.monotonic()
        for i in range(0, n, per_ms * 10):
            s.send_raw(b"".join(b"%d %s\n" % (j, pad)
                                for j in range(i, min(n, i + per_ms * 10))))
            # Ten milliseconds' worth at a time: 20 MB a second.
            wait = t0 + (i + per_ms * 10) / (per_ms * 1000) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        rate = n * size / (time.monotonic() - t0) / 1e6
        for t in threads:
            t.join()
        print("     sent at %.1f MB/s" % rate)
        for k in range(len(readers)):
            check(not dropped[k], "reader %d not dropped" % k)
            check(got[k] == list(range(n)), "reader %d read every line in "
                  "order: %d of %d" % (k, len(got[k]), n))
        check(srv.count_log(r"send queue exceeded") == 0,
              "nobody dropped")


def test_replay_fits_any_queue():
    # History that becomes 12 KB a line once cleaned (0xfe is U+FFFD), or
    # 8 KB escaped (backslashes in frame mode), fills far more than a send
    # queue; joiners behind a 64 KB window still get all of it.
    with Server() as srv:
        a = srv.client()
        an = a.login()
        for i in range(25):
            a.send_raw(b"%d " % i + b"\xfe" * 3990 + b"\n")
            a.send_raw(b"%d " % (25 + i) + b"\\" * 3990 + b"\n")
        a.send("/ping done")
        a.expect(r"^\*\*\* pong done$", timeout=20)
        for k in range(2):
            f = srv.frame_client(nick="late%d" % k, rcvbuf=65536)
            # A slow reader: a few kilobytes at a time.
            frames = []
            deadline = time.monotonic() + scaled(30)
            while time.monotonic() < deadline:
                f.sock.settimeout(5)
                chunk = f.sock.recv(4096)
                if not chunk:
                    break
                f.buf += chunk
                time.sleep(0.001)
                while b"\n" in f.buf:
                    line, f.buf = f.buf.split(b"\n", 1)
                    frames.append(line.decode("utf-8", "replace"))
                if any(x.startswith("who ") for x in frames):
                    break
            msgs = [x for x in frames if x.startswith("msg ")]
            check(len(msgs) == 50, "frame joiner %d got the whole replay: "
                  "%d messages, last %r" % (k, len(msgs), frames[-1:]))
        t = srv.client(rcvbuf=65536)
        t.send("")
        seen = 0
        while True:
            line = t.readline(10)
            check(line is not None, "text joiner not closed")
            if re.match(r"^\[\d\d:\d\d\] <%s> \d+ " % an, line):
                seen += 1
            if re.match(r"^\*\*\* guest\d+ joined lobby$", line):
                break
            time.sleep(0.002)
        check(seen == 50, "text joiner got the whole replay: %d" % seen)
        check(srv.count_log(r"send queue exceeded") == 0, "nobody dropped")


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


def test_refused_after_talking():
    # A refused client that keeps sending still reads why, and then a
    # clean end: the server ends its output and drains its input before
    # it closes, so the close does not reset the connection (a reset
    # throws away what the peer has not read yet on many systems).
    with Server("--max-clients", "1") as srv:
        a = srv.client()
        a.login()
        for attempt in range(5):
            c = socket.create_connection(("127.0.0.1", srv.port))
            for i in range(30):
                try:
                    c.sendall(b"hello, anyone there? %d\n" % i * 20)
                except OSError:
                    break
                time.sleep(0.01)
            c.settimeout(scaled(5))
            data, reset = b"", False
            try:
                while True:
                    chunk = c.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except ConnectionResetError:
                reset = True
            c.close()
            check(data == b"*** error: server full\r\n",
                  "attempt %d told why: %r" % (attempt, data))
            check(not reset, "attempt %d ended cleanly, not reset"
                  % attempt)


def test_sighup_reloads_motd():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "motd")
        with open(path, "w") as fp:
            fp.write("first message\n")
        with Server("--motd", path) as srv:
            a = srv.client()
            a.send("")
            a.expect(r"^\*\*\* first message$")
            a.expect(r"^\*\*\* guest1 joined lobby$")
            with open(path, "w") as fp:
                fp.write("second message\n")
            srv.signal(signal.SIGHUP)
            srv.wait_log(r"reloaded the message of the day")
            b = srv.client()
            b.send("")
            b.expect(r"^\*\*\* second message$")
            a.expect(r"^\*\*\* guest2 joined lobby$")
            # A file that cannot be read keeps the old message.
            os.remove(path)
            os.mkdir(path)
            srv.signal(signal.SIGHUP)
            srv.wait_log(r"cannot read --motd .*keeping the old one")
            c = srv.client()
            c.send("")
            c.expect(r"^\*\*\* second message$")
            a.expect(r"^\*\*\* guest3 joined lobby$")
            b.send("still here")
            a.expect(r"^<guest2> still here$")
            check(srv.proc.poll() is None, "the server runs on")
            check(srv.count_log(r"shutting down") == 0, "no shutdown")
            check(not any("shutting down" in l for l in a.seen),
                  "clients were not told of a shutdown")


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
        c.send("CHAT/3 nick=x")
        lines = c.expect_eof()
        check(lines == ["*** error: unsupported protocol version 3 "
                        "(this server speaks 1 to 2)"], "version 3: %r" % lines)
        c = srv.client()
        c.send("CHAT/0 nick=x")
        lines = c.expect_eof()
        check(lines == ["*** error: unsupported protocol version 0 "
                        "(this server speaks 1 to 2)"], "version 0: %r" % lines)
        # Version 1 is still spoken, and takes no token: "@" is text.
        one = srv.client()
        one.send("CHAT/1 nick=old")
        one.expect(r"^who ")
        one.send("@t1 hi")
        one.expect(r"^msg \d+ lobby old \d+ \d+ @t1 hi$")
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
