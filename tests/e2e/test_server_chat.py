#!/usr/bin/python3
"""End-to-end tests of chat-server's chat: welcome, broadcast order, echo
rules, every command and its errors, nick rules, history, rooms, input
hygiene and half-close.  Each test starts its own server on port 0."""

import os
import socket
import time

from chatlib import Frame, Server, check, run_tests


def login_text(srv, n):
    clients = []
    for _ in range(n):
        c = srv.client()
        c.nick = c.login()
        clients.append(c)
    return clients


def test_welcome():
    with Server() as srv:
        a = srv.client()
        m = a.expect(r"^\*\*\* welcome to chat-server .*you are (guest\d+)$")
        a.expect(r"^\*\*\* 1 user online")
        a.expect(r"^\*\*\* %s joined lobby$" % m.group(1))
        b = srv.client()
        m2 = b.expect(r"you are (guest\d+)$")
        check(m2.group(1) != m.group(1), "guest nicks differ")
        b.expect(r"^\*\*\* 2 users online")
        a.expect(r"^\*\*\* %s joined lobby$" % m2.group(1))
        srv.wait_log(r"connect from 127\.0\.0\.1:\d+")


def test_broadcast_order():
    with Server("--flood-rate", "0") as srv:
        cs = login_text(srv, 8)
        for c in cs[1:]:
            c.expect(r"joined lobby$") if False else None
        # Drain the join notices of later clients.
        for i, c in enumerate(cs):
            for later in cs[i + 1:]:
                c.expect(r"^\*\*\* %s joined lobby$" % later.nick)
        senders = cs[:4]
        for r in range(25):
            for s in senders:
                s.send("m %s %d" % (s.nick, r))
        orders = {}
        for c in cs:
            want = 25 * (len(senders) - (1 if c in senders else 0))
            got = []
            while len(got) < want:
                line = c.readline()
                check(line is not None, "EOF at %s" % c.nick)
                check(line.startswith("<"), "unexpected line %r" % line)
                got.append(line)
            orders[c.nick] = got
            for s in senders:
                mine = [l for l in got if l.startswith("<%s>" % s.nick)]
                if c is s:
                    check(mine == [], "no echo in text mode")
                else:
                    check(mine == ["<%s> m %s %d" % (s.nick, s.nick, r)
                                   for r in range(25)],
                          "each sender's lines in order at %s" % c.nick)
        # Every receiver sees the same global order (less its own lines).
        ref = orders[cs[-1].nick]
        for c in cs:
            own = "<%s>" % c.nick
            check([l for l in ref if not l.startswith(own)] ==
                  [l for l in orders[c.nick]], "one order at %s" % c.nick)


def test_frame_echo_and_ids():
    with Server() as srv:
        t = srv.client()
        t.login()
        f = srv.frame_client(nick="fred")
        h = f.expect_frame("hello")
        check(h.nick == "fred" and h.room == "lobby", "hello names nick/room")
        check(h.text.startswith("chat-server "), "hello text")
        seq = [x.kind for x in f.frames_until("who")]
        check(seq[-2:] == ["join", "who"], "join then who: %r" % seq)
        check("replay" in seq and "notice" in seq, "notices, replay")
        f.send("one")
        m1 = f.expect_frame("msg")
        check(m1.text == "one" and m1.nick == "fred" and m1.id == 1,
              "sender gets its own msg with id 1: %r" % m1)
        check(m1.epoch == h.epoch, "epoch matches hello")
        t.expect(r"^<fred> one$")
        t.send("two")
        m2 = f.expect_frame("msg")
        check(m2.text == "two" and m2.id == 2, "ids grow by one")
        f.send("/me waves")
        a = f.expect_frame("act")
        check(a.id == 3 and a.text == "waves", "act gets an id")
        t.expect(r"^\* fred waves$")
        check(t.quiet(0.2) == [], "text client gets nothing more")


def test_commands():
    with Server() as srv:
        a, b = login_text(srv, 2)
        a.expect(r"joined lobby$")
        a.send("/help")
        a.expect(r"^\*\*\* commands")
        for cmd in ("nick", "me", "msg", "who", "join", "rooms", "quit",
                    "help", "ping"):
            a.expect(r"^\*\*\* /%s" % cmd)
        a.send("/who")
        a.expect(r"^\*\*\* users in lobby \(2\): %s %s$" % (a.nick, b.nick))
        a.send("/rooms")
        a.expect(r"^\*\*\* rooms: lobby \(2\)$")
        a.send("/ping tok123")
        a.expect(r"^\*\*\* pong tok123$")
        a.send("/frobnicate x")
        a.expect(r"^\*\*\* error: unknown command /frobnicate.*/help")
        a.send("/msg")
        a.expect(r"^\*\*\* error: usage: /msg NICK TEXT$")
        a.send("/msg %s" % b.nick)
        a.expect(r"^\*\*\* error: usage: /msg")
        a.send("/msg nobody hi")
        a.expect(r"^\*\*\* error: no such nick: nobody$")
        a.send("/msg %s psst" % b.nick.upper())
        a.expect(r"^-> \*%s\* psst$" % b.nick)
        b.expect(r"^\*%s\* psst$" % a.nick)
        a.send("/me")
        a.expect(r"^\*\*\* error: usage: /me")
        a.send("/me dances")
        b.expect(r"^\* %s dances$" % a.nick)
        a.send("//slash")
        b.expect(r"^<%s> /slash$" % a.nick)
        a.send("")
        a.send("/join")
        a.expect(r"^\*\*\* error: usage: /join ROOM$")
        a.send("/join lobby")
        a.expect(r"^\*\*\* error: you are already in lobby$")
        a.send("/join 9bad")
        a.expect(r"^\*\*\* error: invalid room name")
        a.send("/join " + "r" * 33)
        a.expect(r"^\*\*\* error: invalid room name")
        a.send("/nick")
        a.expect(r"^\*\*\* error: usage: /nick NAME$")
        a.send("/quit bye all")
        a.expect(r"^\*\*\* %s quit \(bye all\)$" % a.nick)
        check(a.expect_eof() == [], "closed after quit")
        b.expect(r"^\*\*\* %s quit \(bye all\)$" % a.nick)
        b.send("/quit")
        b.expect(r"^\*\*\* %s quit \(quit\)$" % b.nick)
        srv.wait_log(r"disconnect from .*nick %s: quit" % b.nick)


def test_nick_rules():
    with Server() as srv:
        a, b = login_text(srv, 2)
        a.expect(r"joined lobby$")
        for bad in ("1abc", "_x", "a" * 17, "a.b", "\u00e9t\u00e9"):
            a.send("/nick " + bad)
            a.expect(r"^\*\*\* error: invalid nick")
        a.send("/nick " + "A" * 16)
        b.expect(r"^\*\*\* %s is now known as %s$" % (a.nick, "A" * 16))
        a.expect(r"is now known as %s$" % ("A" * 16))
        a.nick = "A" * 16
        b.send("/nick " + "a" * 16)
        b.expect(r"^\*\*\* error: nick a{16} is already in use$")
        b.send("/nick Bob_2-x")
        a.expect(r"^\*\*\* %s is now known as Bob_2-x$" % b.nick)
        b.expect(r"is now known as Bob_2-x$")
        b.send("/nick bob_2-X")
        a.expect(r"^\*\*\* Bob_2-x is now known as bob_2-X$")
        b.send("hi")
        a.expect(r"^<bob_2-X> hi$")
        # A freed nick can be taken again.
        b.send("/quit")
        b.expect_eof()
        c = srv.client()
        c.login()
        c.send("/nick BOB_2-x")
        c.expect(r"is now known as BOB_2-x$")


def test_history_replay():
    with Server("-H", "3") as srv:
        a, = login_text(srv, 1)
        for i in range(5):
            a.send("line %d" % i)
        time.sleep(0.2)
        b = srv.client()
        b.expect(r"^\*\*\* 3 messages$")
        for i in range(2, 5):
            b.expect(r"^\[\d\d:\d\d\] <%s> line %d$" % (a.nick, i))
        b.expect(r"joined lobby$")
        f = srv.frame_client()
        r = f.expect_frame("replay")
        check(r.text == "3 messages", "replay counts: %r" % r.text)
        ids = [f.expect_frame("msg").id for _ in range(3)]
        check(ids == [3, 4, 5], "replayed ids %r" % ids)
    with Server("-H", "0") as srv:
        a, = login_text(srv, 1)
        a.send("gone")
        time.sleep(0.2)
        b = srv.client()
        b.login()
        check(b.quiet(0.2) == [], "no history with -H 0")


def test_rooms():
    with Server() as srv:
        a, b, c = login_text(srv, 3)
        a.expect(r"%s joined lobby$" % c.nick)
        b.expect(r"%s joined lobby$" % c.nick)
        a.send("/join Dev")
        b.expect(r"^\*\*\* %s left lobby \(joined Dev\)$" % a.nick)
        a.expect(r"^\*\*\* %s joined Dev$" % a.nick)
        a.send("in dev")
        b.send("/join dev")
        a.expect(r"^\*\*\* %s joined Dev$" % b.nick)
        b.expect(r"^\[\d\d:\d\d\] <%s> in dev$" % a.nick)
        b.expect(r"joined Dev$")
        c.expect(r"%s left lobby" % b.nick)
        c.send("lobby only")
        check(a.quiet(0.2) == [] and b.quiet(0) == [], "rooms are apart")
        c.send("/rooms")
        c.expect(r"^\*\*\* rooms: lobby \(1\), Dev \(2\)$")
        a.send("/who")
        a.expect(r"^\*\*\* users in Dev \(2\): %s %s$" % (a.nick, b.nick))
        # The room vanishes with its history when the last member leaves.
        a.send("/join lobby")
        b.send("/quit")
        b.expect_eof()
        c.send("/rooms")
        c.expect(r"^\*\*\* rooms: lobby \(2\)$")
        c.send("/join dev")
        c.expect(r"joined dev$")
        check(c.quiet(0.2) == [], "recreated room has no history")


def test_long_line():
    with Server() as srv:
        a, b = login_text(srv, 2)
        a.expect(r"joined lobby$")
        a.send_raw(b"x" * 4095 + b"\n")
        b.expect(r"^<%s> x{4095}$" % a.nick)
        a.send_raw(b"y" * 4096 + b"\n" + b"after\n")
        a.expect(r"^\*\*\* error: line too long \(max 4095 bytes\)$")
        b.expect(r"^<%s> after$" % a.nick)
        a.send_raw(b"z" * 100000 + b"\nstill here\n")
        a.expect(r"^\*\*\* error: line too long")
        b.expect(r"^<%s> still here$" % a.nick)


def test_hygiene():
    with Server() as srv:
        a, b = login_text(srv, 2)
        a.expect(r"joined lobby$")
        f = srv.frame_client(nick="fr")
        f.expect_frame("who")
        b.expect(r"^\*\*\* fr joined lobby$")
        a.send_raw(b"\x1b[2J\x1b]0;title\x07bad \xc3( \xfe\xed\xa0\x80 \x00nul\x7f\x9b ok\r\n")
        line = b.readline_bytes()
        check(b"\x1b" not in line and b"\x07" not in line and
              b"\x00" not in line and b"\x7f" not in line,
              "controls stripped: %r" % line)
        text = line.decode("utf-8")  # valid UTF-8 or this raises
        check("\ufffd" in text and text.endswith("ok"),
              "invalid UTF-8 replaced: %r" % text)
        m = f.expect_frame("msg")
        check("\x1b" not in m.text and "\ufffd" in m.text,
              "frame text clean: %r" % m.text)
        # Telnet IAC sequences are removed from input.
        a.send_raw(b"te\xff\xfb\x01lnet\r\n")
        b.expect(r"^<%s> telnet$" % a.nick)


def test_bytes_that_are_not_telnet():
    # Only RFC 854 sequences are telnet: a lone 0xff is data (and so
    # U+FFFD), and a subnegotiation never swallows the lines after it.
    with Server() as srv:
        a, b = login_text(srv, 2)
        a.expect(r"joined lobby$")
        a.send_raw(b"bad\xffend\r\n")
        b.expect(r"^<%s> bad\ufffdend$" % a.nick)
        a.send_raw(b"paste \xff\xfa garbage\r\nsecond line\r\n"
                   b"third line\r\n")
        b.expect(r"^<%s> paste \ufffd\ufffd garbage$" % a.nick)
        b.expect(r"^<%s> second line$" % a.nick)
        b.expect(r"^<%s> third line$" % a.nick)
        a.send_raw(b"\xff\xfa\x18" + b"x" * 100 + b"\xff\xf0after\r\n")
        b.expect(r"^<%s> \ufffd\ufffd\x18?x{100}after$" % a.nick)


def test_sequences_removed_whole():
    with Server() as srv:
        a, b = login_text(srv, 2)
        a.expect(r"joined lobby$")
        a.send_raw(b"\x1b[31mred\x1b[0m \x1b]0;title\x07ok\r\n")
        b.expect(r"^<%s> red ok$" % a.nick)
        # Zero-width characters cannot hide a word's spelling.
        a.send_raw("al\u200bi\u2060ce\ufeff!\r\n".encode())
        b.expect(r"^<%s> alice!$" % a.nick)
        # Nothing left once cleaned: the sender is told, nobody else hears.
        a.send_raw(b"\x1b[2J\x07\r\n")
        a.expect(r"^\*\*\* error: nothing to send once control "
                 r"characters are removed; not sent$")
        a.send_raw(b"/msg %s \x01\x02\r\n" % b.nick.encode())
        a.expect(r"^\*\*\* error: nothing to send")
        a.send("/me \x1b[1m")
        a.expect(r"^\*\*\* error: nothing to send")
        a.send("visible")
        b.expect(r"^<%s> visible$" % a.nick)


def test_hello_is_never_a_message():
    # A later line starting CHAT/ is refused, not said to the room.
    with Server() as srv:
        a, b = login_text(srv, 2)
        a.expect(r"joined lobby$")
        a.send("CHAT/1 nick=erin")
        a.expect(r"^\*\*\* error: a line starting CHAT/ is a hello, "
                 r"taken only as a connection's first line; not sent$")
        a.send("after")
        b.expect(r"^<%s> after$" % a.nick)
        check(not any("CHAT/" in l for l in b.seen), "never relayed: %r"
              % b.seen)


def test_late_hello():
    # A hello that comes after the text greeting (a relay that forwards a
    # client's first bytes late) still makes the connection frame mode.
    with Server() as srv:
        t, = login_text(srv, 1)
        f = srv.frame_client(hello=False)
        f.expect(r"^\*\*\* welcome to chat-server")
        f.send("CHAT/1 nick=erin")
        h = Frame(f.expect(r"^hello ").string)
        check(h.nick == "erin", "registered as asked: %r" % h.line)
        f.expect_frame("who", lambda x: "erin" in x.text.split())
        f.send("hi from erin")
        m = f.expect_frame("msg")
        check(m.nick == "erin" and m.text == "hi from erin" and m.id > 0,
              "frame mode: %r" % m.line)
        t.expect(r"^<erin> hi from erin$")
        check(not any("CHAT/" in l for l in t.seen), "the hello was not "
              "relayed: %r" % t.seen)
        # The wait is counted from the first byte: a hello whose first
        # bytes come before the wait ends and the rest after gets no text
        # greeting.
        g = srv.frame_client(hello=False)
        time.sleep(0.4)
        g.send_raw(b"CHAT/1 ni")
        time.sleep(0.3)
        g.send_raw(b"ck=gus\n")
        first = g.frame()
        check(first.kind == "hello" and first.nick == "gus",
              "frame mode from the start: %r" % first.line)


def test_half_close():
    with Server() as srv:
        a, = login_text(srv, 1)
        s = srv.client()
        s.send("/nick script")
        s.send("/who")
        s.send("hello from a script")
        s.send("/rooms")
        s.shutdown_write()
        lines = s.expect_eof()
        check(any("users in lobby (2)" in l for l in lines), "/who answered")
        check(any(l == "*** rooms: lobby (2)" for l in lines),
              "/rooms answered: %r" % lines)
        check(any(l == "*** script quit (connection closed)" for l in lines),
              "own quit notice")
        a.expect(r"^<script> hello from a script$")
        a.expect(r"^\*\*\* script quit \(connection closed\)$")


def test_silent_and_reset():
    with Server() as srv:
        a, = login_text(srv, 1)
        # Never registered: connects, says half a line, resets.
        s = socket.create_connection(("127.0.0.1", srv.port), 5)
        s.sendall(b"half a li")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
        # Registered, then resets mid-line.
        r = srv.client()
        nick = r.login()
        a.expect(r"^\*\*\* %s joined lobby$" % nick)
        r.send_raw(b"\xff\x00garbage with no end")
        r.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                          b"\x01\x00\x00\x00\x00\x00\x00\x00")
        r.close()
        a.expect(r"^\*\*\* %s quit \(connection (reset|closed)\)$" % nick)
        # A silent client is greeted and stays.
        q = srv.client()
        qn = q.login()
        a.expect(r"^\*\*\* %s joined lobby$" % qn)
        a.send("/who")
        a.expect(r"^\*\*\* users in lobby \(2\): %s %s$" % (a.nick, qn))
        srv.wait_log(r"disconnect from 127\.0\.0\.1:\d+ nick %s: connection reset" % nick)


def test_bad_args():
    import subprocess
    from chatlib import server_path
    import tempfile
    d = tempfile.mkdtemp()
    for args in (["-p", "abc"], ["--bogus"], ["-p"], ["-m", "0"],
                 ["--sendq", "x"], ["extra"], ["--motd", "/nonexistent/f"],
                 ["--motd", d], ["--sendq", "65536", "--sendq-hard", "4096"],
                 ["--sendq-time", "-1"]):
        p = subprocess.run([server_path()] + args, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=5)
        check(p.returncode == 2, "%r exits 2, got %d" % (args, p.returncode))
        err = p.stderr.decode().strip().splitlines()
        check(len(err) == 1 and err[0].startswith("chat-server: "),
              "one clear line for %r: %r" % (args, err))
    os.rmdir(d)
    p = subprocess.run([server_path(), "--help"], capture_output=True,
                       timeout=5)
    check(p.returncode == 0 and b"usage: chat-server" in p.stdout, "--help")
    p = subprocess.run([server_path(), "-V"], capture_output=True, timeout=5)
    check(p.returncode == 0 and p.stdout.startswith(b"chat-server "), "-V")


def test_unknown_listen_host():
    import subprocess
    from chatlib import server_path
    p = subprocess.run([server_path(), "-l", "no.such.host.invalid", "-p",
                        "0"], stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=20)
    err = p.stderr.decode().strip().splitlines()
    check(p.returncode == 1, "exits 1, got %d" % p.returncode)
    check(len(err) == 1 and err[0].count("cannot listen") == 1 and
          "no.such.host.invalid" in err[0], "one line, said once: %r" % err)


def test_motd_long_lines():
    # A long line of the message of the day is cut into notices on
    # character boundaries: every character arrives, none is split.
    import tempfile
    long_line = "\u00e9" * 3000 + "\u4e2d" * 500
    with tempfile.NamedTemporaryFile("w", encoding="utf-8",
                                     delete=False) as fp:
        fp.write(long_line + "\nlast line\n")
    try:
        with Server("--motd", fp.name) as srv:
            a = srv.client()
            a.send("")
            a.expect(r"^\*\*\* \d+ users? online")
            parts = []
            while True:
                raw = a.readline_bytes()
                line = raw.decode("utf-8")     # strict: raises if cut
                if line == "*** last line":
                    break
                check(line.startswith("*** "), "a notice: %r" % line[:40])
                parts.append(line[4:])
            check(len(parts) > 1, "cut into several notices")
            check("".join(parts) == long_line, "every character arrived")
    finally:
        os.unlink(fp.name)


def test_address_in_use():
    import subprocess
    from chatlib import server_path
    with Server() as srv:
        p = subprocess.run([server_path(), "-l", "127.0.0.1", "-p",
                            str(srv.port)], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=5)
        check(p.returncode == 1, "address in use exits 1")
        check(("127.0.0.1" in p.stderr.decode() and
               str(srv.port) in p.stderr.decode()),
              "names the address: %r" % p.stderr)


if __name__ == "__main__":
    run_tests([(n[5:], f) for n, f in sorted(globals().items())
               if n.startswith("test_") and callable(f)])
