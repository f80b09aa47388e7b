#!/usr/bin/python3
"""Fault tests of chat-client's full screen, in tmux: a hostile server
that tries to switch terminal modes and sends malformed frames; a client
stopped with SIGSTOP for 10 s while others talk, which catches up, or is
dropped past its send queue and reconnects by itself; a server killed
with SIGKILL under several clients and restarted, which they all rejoin
by themselves.  The terminal is intact after each."""

import os
import re
import signal
import threading
import time

from chatlib import Server, check, proc_rss_kb, run_tests
from clientlib import FakeServer, Tmux, free_port

TS = r"\d\d:\d\d "

# The pane's modes that a stray escape sequence would change.
MODES = ("pane_title", "alternate_on", "cursor_flag", "insert_flag",
         "keypad_cursor_flag", "keypad_flag", "mouse_any_flag",
         "mouse_button_flag", "mouse_standard_flag", "mouse_all_flag",
         "mouse_sgr_flag", "mouse_utf8_flag", "origin_flag", "wrap_flag")


def modes(t):
    return dict(zip(MODES, t.fmt("|".join("#{%s}" % m
                                          for m in MODES)).split("|")))


def tui(port, nick, width=100, height=30):
    return Tmux(["-n", nick, "-p", str(port), "127.0.0.1"], width, height)


def connected(t, nick, timeout=5):
    t.wait(r"\[%s\]( \[\d+ users?\])? \[connected\]" % nick, timeout)


def tty_sane_after_quit(t):
    t.line("/quit")
    check(t.exit_status() == 0, "exit status 0 after /quit")
    m = t.wait(r"^TTY: (.*)$")
    check(set(m.group(1).split()) == {"icanon", "echo", "icrnl", "opost"},
          "terminal modes restored: %r" % m.group(1))
    check(t.fmt("#{alternate_on}") == "0", "left the alternate screen")


def observer(srv, nick, room=None):
    c = srv.client()
    c.login()
    c.send("/nick " + nick)
    c.expect(r"is now known as %s$" % nick)
    if room:
        c.send("/join " + room)
        c.expect(r"%s joined %s$" % (nick, room))
    return c


def test_hostile_modes_and_frames():
    go = threading.Event()
    # Escape sequences that would switch modes if they reached the
    # terminal: mouse reporting, bracketed paste, insert, origin, no
    # wrap, hidden cursor, application keypad and cursor keys, a title,
    # the clipboard, a DCS and tmux's own passthrough.
    modes_on = (b"\x1b[?1000h\x1b[?1002h\x1b[?1003h\x1b[?1006h\x1b[?1005h"
                b"\x1b[?2004h\x1b[4h\x1b[?6h\x1b[?7l\x1b[?25l\x1b=\x1b[?1h"
                b"\x1b]2;owned\x07\x1b]52;c;b3duZWQ=\x07"
                b"\x1bPtmux;\x1b\x1b]2;pt\x07\x1b\\\x1bP+q544e\x1b\\")
    esc = "".join("\\x%02x" % b if b < 0x20 or b == 0x7f else chr(b)
                  for b in modes_on).replace(" ", "\\s").encode()
    junk = [
        b"hello 1700000000000 lobby mallory 5 0 chat-server\\s9\r\n",
        go.wait,
        b"msg 1700000000000 lobby eve 5 1 m1:" + esc + b"\r\n",
        b"m2:" + modes_on + b"\r\n",
        # C1 controls written as UTF-8: CSI, OSC, DCS, ST.
        b"msg 1700000000000 lobby eve 5 2 m3:\xc2\x9b?1049l\xc2\x9d0;c1"
        b"\xc2\x9c\xc2\x90x\r\n",
        # Escapes in the fields meant to be names.
        b"msg 1700000000000 lobby e\\x1b]0;n\\x07ve 5 3 m4:nick\r\n",
        b"join 1700000000000 lo\\x1b[?1000hbby eve 5 0 \r\n",
        # Malformed frames.
        b"msg\r\n",
        b"msg 1700000000000\r\n",
        b"msg notanumber lobby eve 5 4 m5:bad ts\r\n",
        b"msg 1700000000000 lobby eve 5 99999999999999999999999999 m6\r\n",
        b"msg 1700000000000 lobby eve -5 -1 m7:negative\r\n",
        b"msg -1700000000000 lobby eve 5 5 m8:before 1970\r\n",
        b"msg 99999999999999999999 lobby eve 5 6 m9:far future\r\n",
        b"msg 1700000000000 lobby eve 5 7 m10:trailing\\\r\n",
        b"msg 1700000000000 lobby eve 5 8 m11:\\x4\\xZZ\\q\\\r\n",
        b"msg 1700000000000 lobby eve 5 9 m12:nul\x00inside\r\n",
        b"msg 1700000000000 lobby \\x00 5 10 m13:empty nick\r\n",
        b"msg 1700000000000 - - 0 0 m14:no room\r\n",
        b"\r\n", b"\r\r\r\n", b"       \r\n", b"\n",
        b"who 1700000000000 lobby - 5 0 " + b"\\x1b " * 20000 + b"\r\n",
        b"rooms 1700000000000 - - 0 0 lobby:x :3 \\x1b]0;t\\x07:1 ::::\r\n",
        b"replay 1700000000000 lobby - 5 0 999999999999 messages\r\n",
        b"nick 1700000000000 lobby eve 5 0 \\x1b[31mred\r\n",
        b"pong 1700000000000 - - 0 0 unasked\r\n",
        b"error 1700000000000 - - 0 0 \\x1b]2;err\\x07\r\n",
        b"notice 1700000000000 - - 0 0 still\\salive\r\n",
    ]
    with FakeServer(junk) as fake, tui(fake.port, "tester", 100, 70) as a:
        a.wait(r"connected to lobby as mallory$")
        before = modes(a)
        rss0 = proc_rss_kb(a.client_pid())
        go.set()
        a.wait(r"\*\*\* still alive$", 10)
        after = modes(a)
        changed = {m: (before[m], after[m]) for m in MODES
                   if before[m] != after[m]}
        check(not changed, "terminal modes changed: %r" % changed)
        screen = a.screen()
        for tag in ("m1:", "m2:", "m3:", "m4:nick"):
            check(tag in screen, "%s shown: %s" % (tag, screen))
        check("\u241b[?1000h" in screen, "escapes shown as pictures")
        for bad in (b"msg notanumber lobby eve 5 4 m5:bad ts",
                    b"msg 1700000000000 lobby eve -5 -1 m7:negative"):
            check("unreadable line from the server: %s" % bad.decode()
                  in screen, "a malformed frame shown as sent: %s" % bad)
        check("[mallory]" in a.status(), "status line intact")
        rss1 = proc_rss_kb(a.client_pid())
        print("     client RSS before/after junk      %d / %d kB"
              % (rss0, rss1))
        check(rss1 < rss0 + 20 * 1024, "memory bounded")
        a.line("/quit")
        check(a.exit_status() == 0, "exit status 0 after /quit")


def test_sigstop_catch_up_or_drop():
    with Server("--flood-rate", "0", "--sendq", "65536") as srv, \
            tui(srv.port, "calm") as calm, tui(srv.port, "busy") as busy:
        connected(calm, "calm")
        connected(busy, "busy")
        busy.line("/join loud")
        busy.wait(r"busy joined loud$")
        q = observer(srv, "qobs")
        loud = observer(srv, "lobs", "loud")
        pids = (calm.client_pid(), busy.client_pid())
        t0 = time.monotonic()
        for p in pids:
            os.kill(p, signal.SIGSTOP)
        try:
            for i in range(20):
                q.send("quiet-%02d" % i)
            # The loud room talks until busy is past what its kernel
            # buffers and its send queue hold (at most 64 MB).
            pad = "x" * 1000
            sent = 0
            while srv.count_log(r"nick busy: send queue exceeded") == 0:
                check(sent < 64000, "busy dropped within 64 MB")
                for i in range(sent, sent + 2000):
                    loud.send("loud-%05d %s" % (i, pad))
                sent += 2000
                loud.send("/ping %d" % sent)
                loud.expect(r"^\*\*\* pong %d$" % sent, 20)
            time.sleep(max(0, t0 + 10 - time.monotonic()))
        finally:
            for p in pids:
                os.kill(p, signal.SIGCONT)
        print("     stopped %.1f s; busy dropped after %d kB of loud lines"
              % (time.monotonic() - t0, sent * 1011 // 1024))
        # calm kept its place and catches up, with nothing lost.
        calm.wait(r"<qobs> quiet-19$", 10)
        seen = re.findall(r"<qobs> (quiet-\d+)$", calm.screen(), re.M)
        check(seen == ["quiet-%02d" % i for i in range(20)],
              "every quiet line once, in order: %r" % seen)
        check("[connected]" in calm.status(), "calm stayed connected")
        # busy was dropped while stopped, and comes back by itself.
        busy.wait(r"\*\*\* disconnected", 20)
        connected(busy, "busy", 15)
        busy.wait(r"<lobs> loud-%05d\b" % (sent - 1), 10)
        loud.send("after")
        busy.wait(r"<lobs> after$")
        q.send("after")
        calm.wait(r"<qobs> after$")
        for t in (calm, busy):
            check(t.fmt("#{alternate_on}") == "1", "still full screen")
            tty_sane_after_quit(t)


def test_server_sigkill_restart():
    port = free_port()
    srv = Server("-p", str(port))
    try:
        nicks = ("ann", "ben", "cat")
        ts = [tui(port, n) for n in nicks]
        try:
            for t, n in zip(ts, nicks):
                connected(t, n)
            srv.proc.kill()
            srv.wait()
            for t in ts:
                t.wait(r"\[disconnected\]")
            srv.kill()
            srv = Server("-p", str(port))
            for t, n in zip(ts, nicks):
                connected(t, n, 20)
            ts[0].wait(r"\[3 users\]", 10)
            ts[0].line("back again")
            for t in ts:
                t.wait(r"<ann> back again$")
                t.wait(r"restarted")
            for t in ts:
                tty_sane_after_quit(t)
        finally:
            for t in ts:
                t.kill()
    finally:
        srv.kill()
    srv.check_sanitizer()


if __name__ == "__main__":
    run_tests([(n[5:], f) for n, f in sorted(globals().items())
               if n.startswith("test_") and callable(f)], per_test=60)
