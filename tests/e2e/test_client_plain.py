#!/usr/bin/python3
"""End-to-end tests of chat-client in plain mode (pipes, no curses) and of
its command line: posting from a pipe, /who, order of many lines, what a
hostile server sends made safe, half-close at the end of input, messages
sent again once with their tokens after a lost link and acked before the
end, a server that cannot be reached, and bad arguments."""

import re
import select
import socket
import subprocess
import tempfile
import threading
import time

from chatlib import Server, check, run_tests, sanitizer_report, scaled
from clientlib import (FakeServer, ScriptedServer, client_path, free_port,
                       run_plain)


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
    check(re.fullmatch(rb"CHAT/2 nick=tester session=[0-9a-f]{16}",
                       fake.hello), "hello: %r" % fake.hello)
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


TOKEN = re.compile(rb"^@([0-9a-f]{16})\.(\d+) (.*)$")


def tagged(conn, text, tokens, again=None):
    """Reads the client's next line: text with a token, noted in tokens
    and returned.  The token is again when given (a line sent again),
    else a new one: of the key of those before, its counter higher."""
    line = conn.line()
    m = TOKEN.match(line or b"")
    check(m is not None and m.group(3) == text,
          "%r with a token: got %r" % (text, line))
    tok = m.group(1) + b"." + m.group(2)
    if again is not None:
        check(tok == again, "%r sent again as %r, not %r" % (text, tok,
                                                             again))
    elif tokens:
        check(all(t.split(b".")[0] == m.group(1) and
                  int(t.split(b".")[1]) < int(m.group(2)) for t in tokens),
              "%r: one key, a counter that grows: %r" % (tok, tokens))
    tokens.append(tok)
    return tok


def frame(kind, nick, eid, text):
    return b"%s 1700000000000 lobby %s 5 %d %s\r\n" % (
        kind, nick, eid, text.replace(b" ", b"\\s"))


def test_resends_unacked_after_reconnect():
    """Messages and actions go with tokens and are kept until acked: the
    link is dropped before some acks, and after the next hello reply
    those go again once, with the same tokens, in the order typed and
    before a line typed meanwhile; a written command is not sent again.
    A refusal (ack id 0) drops its line, its error shown; an ack is never
    shown.  At the end of input the client waits, across one more lost
    link, for the last ack before it half-closes."""
    toks = []
    sent = {}
    state = {}
    # The client may connect before Popen returns: the scripts wait.
    started = threading.Event()
    proc = {}

    def stdin():
        check(started.wait(scaled(10)), "the client started")
        return proc["p"].stdin

    keys = []

    def hello_is(c, want, what):
        """The hello is want and the session key, the same every time."""
        m = re.fullmatch(re.escape(want) + rb" session=([0-9a-f]{16})",
                         c.line())
        check(m is not None and (not keys or keys[0] == m.group(1)), what)
        keys.append(m.group(1))

    def first(c):
        hello_is(c, b"CHAT/2 nick=tester", "first hello")
        c.send(frame(b"hello", b"tester", 0, b"chat-server 9"))
        stdin().write(b"one\n/who\n/me two\n//three\n")
        stdin().flush()
        sent["one"] = tagged(c, b"one", toks)
        check(c.line() == b"/who", "a command goes without a token")
        sent["two"] = tagged(c, b"/me two", toks)
        sent["three"] = tagged(c, b"//three", toks)
        c.send(frame(b"msg", b"tester", 1, b"one") +
               frame(b"ack", b"tester", 1, sent["one"]))
        check(c.quiet(0.3), "nothing more on the first link")

    def second(c):
        hello_is(c, b"CHAT/2 nick=tester room=lobby epoch=5 last=1",
                 "second hello resumes after id 1, same key")
        stdin().write(b"four\n")         # typed before the hello reply
        stdin().flush()
        check(c.quiet(0.5), "nothing before the hello reply")
        c.send(frame(b"hello", b"tester", 1, b"chat-server 9"))
        tagged(c, b"/me two", toks, sent["two"])
        tagged(c, b"//three", toks, sent["three"])
        sent["four"] = tagged(c, b"four", toks)
        c.send(frame(b"error", b"-", 0, b"message not sent: history "
                     b"could not be stored") +
               frame(b"ack", b"tester", 0, sent["two"]) +
               frame(b"msg", b"tester", 2, b"/three") +
               frame(b"ack", b"tester", 2, sent["three"]) +
               frame(b"ack", b"tester", 7, b"unknown.1"))
        stdin().close()
        check(c.quiet(0.5), "no half-close while four waits for its ack")

    def third(c):
        hello_is(c, b"CHAT/2 nick=tester room=lobby epoch=5 last=2",
                 "third hello resumes after id 2, same key")
        c.send(frame(b"hello", b"tester", 2, b"chat-server 9"))
        tagged(c, b"four", toks, sent["four"])
        check(c.quiet(0.5), "no half-close before the last ack")
        state["running"] = proc["p"].poll() is None
        c.send(frame(b"msg", b"tester", 3, b"four") +
               frame(b"ack", b"tester", 3, sent["four"]))
        check(c.line() is None, "half-close once all is acked")

    # The scripts feed stdin; what the client prints waits in files.
    with ScriptedServer([first, second, third]) as fake, \
            tempfile.TemporaryFile() as fout, \
            tempfile.TemporaryFile() as ferr:
        p = subprocess.Popen([client_path()] + args(fake.port, "-n",
                             "tester"), stdin=subprocess.PIPE,
                             stdout=fout, stderr=ferr)
        proc["p"] = p
        started.set()
        try:
            fake.close()
            p.wait(scaled(10))
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        fout.seek(0)
        ferr.seek(0)
        out, err = fout.read(), ferr.read()
    check(not sanitizer_report(err.decode(errors="replace")),
          "sanitizer report: %r" % err)
    check(p.returncode == 0, "exit status 0: %r" % err)
    check(state.get("running"), "still running at the end of input")
    check(len(toks) == len(set(toks)) + 3, "each resend once: %r" % toks)
    text = out.decode()
    lines = text.split("\n")
    for want in ("<tester> one", "<tester> /three", "<tester> four",
                 "*** error: message not sent: history could not be stored"):
        check(lines.count(want) == 1, "%r once: %r" % (want, lines))
    check(not any(t.decode() in text for t in toks) and "unknown" not in text,
          "no ack shown: %r" % text)
    check(err.decode().count("reconnecting") == 2, "two losses: %r" % err)


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
        ("resends_unacked_after_reconnect",
         test_resends_unacked_after_reconnect),
        ("reclaims_nick_held_by_old_link",
         test_reclaims_nick_held_by_old_link),
        ("cannot_connect", test_cannot_connect),
        ("bad_arguments", test_bad_arguments),
    ])
