#!/usr/bin/python3
"""End-to-end tests of chat-client in plain mode (pipes, no curses) and of
its command line: posting from a pipe, /who, order of many lines, what a
hostile server sends made safe, half-close at the end of input, a server
that cannot be reached, and bad arguments."""

import re
import select
import socket
import subprocess
import threading
import time

from chatlib import Server, check, run_tests, scaled
from clientlib import FakeServer, client_path, free_port, run_plain


def args(port, *extra):
    return ["-p", str(port)] + list(extra) + ["127.0.0.1"]


def test_post_from_pipe():
    with Server() as srv:
        obs = srv.client()
        obs.login()
        rc, out, err = run_plain(args(srv.port), b"/nick bot\nhello\n")
        check(rc == 0, "exit status 0, got %d: %r" % (rc, err))
        obs.expect(r"^<bot> hello$")
        text = out.decode()
        check("<bot> hello\n" in text, "own message printed: %r" % text)
        check("\x1b" not in text and "\r" not in text,
              "no escapes, no CR: %r" % text)


class SlowRelay:
    """A TCP relay to port that holds what the client sends first for
    delay seconds, as an ssh -L tunnel or a lost first segment can;
    the server's bytes pass at once.  Stops when either side closes."""

    def __init__(self, port, delay):
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.target, self.delay = port, delay
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        self.lsock.settimeout(scaled(10))
        c, _ = self.lsock.accept()
        s = socket.create_connection(("127.0.0.1", self.target))
        held, until = b"", time.monotonic() + self.delay
        deadline = time.monotonic() + scaled(30)
        ended = False           # the client half-closed
        while time.monotonic() < deadline:
            r, _, _ = select.select([s] if ended else [c, s], [], [], 0.05)
            if c in r:
                data = c.recv(65536)
                held += data
                ended = not data
            if s in r:
                data = s.recv(65536)
                if not data:
                    break
                c.sendall(data)
            if time.monotonic() >= until and (held or ended):
                s.sendall(held)
                held = b""
                if ended:
                    s.shutdown(socket.SHUT_WR)
                    until = deadline
        c.close()
        s.close()


def test_through_a_slow_relay():
    # The server greets the silent connection in text mode before the
    # hello arrives; the hello still makes it a frame client, and the
    # client does not show the text greeting as unreadable lines.
    with Server() as srv:
        obs = srv.client()
        obs.login()
        relay = SlowRelay(srv.port, 1.0)
        rc, out, err = run_plain(["-p", str(relay.port), "-n", "erin",
                                  "127.0.0.1"], b"hello through a relay\n",
                                 timeout=15)
        check(rc == 0, "exit status 0, got %d: %r" % (rc, err))
        obs.expect(r"^<erin> hello through a relay$")
        text = out.decode()
        check("<erin> hello through a relay" in text, "own line printed: %r"
              % text)
        check("unreadable" not in text + err.decode(), "no unreadable "
              "lines: %r %r" % (text, err))
        check(not any("CHAT/" in l for l in obs.seen), "the hello was not "
              "relayed: %r" % obs.seen)


def test_who_from_pipe():
    with Server() as srv:
        obs = srv.client()
        nick = obs.login()
        rc, out, err = run_plain(args(srv.port, "-n", "asker"), b"/who\n")
        check(rc == 0, "exit status 0, got %d: %r" % (rc, err))
        lines = out.decode().split("\n")
        who = [l for l in lines if l.startswith("*** users in lobby (2): ")]
        check(len(who) >= 1, "who printed: %r" % lines)
        check(set(who[-1].split(": ", 1)[1].split()) == {nick, "asker"},
              "who lists both: %r" % who[-1])
        check(lines[-1] == "", "ends with LF")


def test_many_lines_in_order():
    with Server("--flood-rate", "0") as srv:
        obs = srv.client()
        obs.login()
        data = b"/nick piper\n" + b"".join(b"line %d\n" % i
                                          for i in range(200))
        rc, out, err = run_plain(args(srv.port), data, timeout=15)
        check(rc == 0, "exit status 0, got %d: %r" % (rc, err))
        for i in range(200):
            obs.expect(r"^<piper> line %d$" % i)
        got = re.findall(r"^<piper> line (\d+)$", out.decode(), re.M)
        check(got == [str(i) for i in range(200)],
              "every echo printed in order")


def test_last_line_without_newline():
    with Server() as srv:
        obs = srv.client()
        obs.login()
        rc, out, err = run_plain(args(srv.port, "-n", "tail"), b"no newline")
        check(rc == 0, "exit status 0")
        obs.expect(r"^<tail> no newline$")


def test_hostile_server_output_is_safe():
    fake = FakeServer([
        b"hello 1700000000000 lobby mallory 5 0 chat-server\\s9\r\n",
        b"msg 1700000000000 lobby eve 5 1 \\x1b]0;pwned\\x07title\r\n",
        b"msg 1700000000000 lobby eve 5 2 red\\x1b[31mtext\\x9b\r\n",
        b"msg 1700000000000 lobby eve 5 3 bidi\xe2\x80\xaeevil\r\n",
        b"msg 1700000000000 lobby eve 5 4 bad\xff\xfeutf8\xc3\r\n",
        b"\x1b[2J\x1b[Hnot a frame at all\r\n",
        b"future 1700000000000 lobby eve 5 5 unknown kinds are ignored\r\n",
        b"notice 1700000000000 - - 0 0 " + b"x" * 70000 + b"\r\n",
        b"notice 1700000000000 - - 0 0 still\\salive\r\n",
    ])
    try:
        rc, out, err = run_plain(args(fake.port, "-n", "tester"), b"")
    finally:
        fake.close()
    check(rc == 0, "exit status 0, got %d: %r" % (rc, err))
    check(fake.hello == b"CHAT/1 nick=tester", "hello: %r" % fake.hello)
    text = out.decode("utf-8")      # raises if not valid UTF-8
    bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or
           0x7f <= ord(c) < 0xa0 or c in "\u202a\u202b\u202c\u202d\u202e"]
    check(not bad, "no control or bidi characters: %r" % bad)
    lines = text.split("\n")
    check("*** connected to lobby as mallory" in lines, "hello shown")
    check(any(l.startswith("<eve> \u241b]0;pwned\u2407title") for l in lines),
          "OSC shown as pictures: %r" % lines)
    check(any(l.startswith("<eve> red\u241b[31mtext") for l in lines),
          "CSI shown as pictures")
    check(any(l.startswith("<eve> bidi\ufffdevil") for l in lines),
          "bidi override replaced")
    check(any(l.startswith("<eve> bad\ufffd") for l in lines),
          "invalid UTF-8 replaced")
    check(any("not a frame at all" in l for l in lines), "a bad line shown")
    check(not any("unknown kinds" in l for l in lines),
          "unknown kinds ignored")
    check("*** still alive" in lines, "a line after an oversized one")
    check(not any(len(l) > 66000 for l in lines), "oversized line dropped")


def test_reclaims_nick_held_by_old_link():
    """A nick still held by an old connection (one the server has not yet
    found dead) is asked for again until it is free."""
    with Server() as srv:
        ghost = srv.frame_client(nick="keeper")
        ghost.expect(r"^hello ")
        obs = srv.client()
        obs.login()
        p = subprocess.Popen([client_path()] + args(srv.port, "-n", "keeper"),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        try:
            guest = obs.expect(r"^\*\*\* (guest\d+) joined lobby$").group(1)
            ghost.close()
            obs.expect(r"^\*\*\* %s is now known as keeper$" % guest,
                       timeout=25)
            p.stdin.write(b"back again\n")
            p.stdin.flush()
            obs.expect(r"^<keeper> back again$")
            out, err = p.communicate(timeout=10)
            check(p.returncode == 0, "exit status 0: %r" % err)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()


def test_cannot_connect():
    port = free_port()
    rc, out, err = run_plain(args(port), b"hello\n")
    check(rc == 1, "exit status 1, got %d" % rc)
    lines = err.decode().strip().split("\n")
    want = r"^chat-client: cannot connect to 127\.0\.0\.1 port %d: .+$" % port
    check(len(lines) == 1 and re.match(want, lines[0]),
          "one line naming host and port: %r" % lines)
    check(out == b"", "nothing on stdout")


def test_bad_arguments():
    for bad in (["-p", "notaport"], ["-p", "70000"], ["-n", "9lives"],
                ["--scrollback", "0"], ["--bogus"], ["a", "b"]):
        rc, out, err = run_plain(bad, b"")
        check(rc == 2, "%r: exit status 2, got %d" % (bad, rc))
        check(len(err.decode().strip().split("\n")) == 1,
              "%r: one line on stderr: %r" % (bad, err))
    rc, out, err = run_plain(["-h"], b"")
    check(rc == 0 and out.startswith(b"usage: chat-client "), "-h")
    rc, out, err = run_plain(["-V"], b"")
    check(rc == 0 and re.match(rb"^chat-client \d+\.\d+", out), "-V")


if __name__ == "__main__":
    run_tests([
        ("post_from_pipe", test_post_from_pipe),
        ("who_from_pipe", test_who_from_pipe),
        ("many_lines_in_order", test_many_lines_in_order),
        ("last_line_without_newline", test_last_line_without_newline),
        ("hostile_server_output_is_safe", test_hostile_server_output_is_safe),
        ("reclaims_nick_held_by_old_link",
         test_reclaims_nick_held_by_old_link),
        ("cannot_connect", test_cannot_connect),
        ("bad_arguments", test_bad_arguments),
    ])
