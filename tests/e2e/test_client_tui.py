#!/usr/bin/python3
"""End-to-end tests of chat-client's full screen, in tmux against a real
chat-server: two windows, wide characters, scrollback and the unread
count, resizing, reconnect with pending lines and resume, /quit and
signals restoring the terminal (SIGHUP and SIGQUIT too), a paste too
long for the input line, and a server that cannot be reached."""

import os
import re
import resource
import shutil
import signal
import tempfile
import time

from chatlib import Server, check, run_tests
from clientlib import FakeServer, Tmux, free_port, wait_until

TS = r"\d\d:\d\d "


def tui(srv_port, nick, width=120, height=40, extra=()):
    return Tmux(["-n", nick, "-p", str(srv_port)] + list(extra) +
                ["127.0.0.1"], width, height)


def connected(t, nick, timeout=5):
    t.wait(r"\[%s\]( \[\d+ users?\])? \[connected\]" % nick, timeout)


def tty_sane(t):
    """The terminal modes the client found are back after it exits."""
    m = t.wait(r"^TTY: (.*)$")
    modes = set(m.group(1).split())
    check(modes == {"icanon", "echo", "icrnl", "opost"},
          "terminal modes restored: %r" % sorted(modes))


def observer(srv, nick):
    """A text-mode client with a nick, for posting and watching."""
    c = srv.client()
    c.login()
    c.send("/nick " + nick)
    c.expect(r"is now known as %s$" % nick)
    return c


def test_two_clients():
    with Server() as srv, tui(srv.port, "alice") as a, \
            tui(srv.port, "bob") as b:
        connected(a, "alice")
        connected(b, "bob")
        a.wait(r"\[2 users\]")
        check(a.status().startswith(" [127.0.0.1:%d] [lobby] [alice] "
                                    "[2 users] [connected]" % srv.port),
              "status line: %r" % a.status())
        a.line("hello from alice")
        a.wait(r"^%s<alice> hello from alice$" % TS)
        b.wait(r"^%s<alice> hello from alice$" % TS)
        b.line("/me waves")
        a.wait(r"^%s\* bob waves$" % TS)
        b.line("/msg alice psst")
        a.wait(r"^%s\*bob\* psst$" % TS)
        b.wait(r"^%s-> \*alice\* psst$" % TS)
        # The input line is empty again after Enter.
        check(b.rows()[39].strip() == "", "input line not cleared")


def test_wide_characters():
    cjk = "一二三四五六七八九十" * 3
    with Server() as srv, tui(srv.port, "alice", 40, 12) as a, \
            tui(srv.port, "bob") as b:
        connected(a, "alice")
        connected(b, "bob")
        b.line(cjk)
        b.wait(re.escape(cjk))
        # 40 columns: "HH:MM <bob> " takes 12, leaving 14 wide
        # characters a row; later rows hang at column 12.
        m = a.wait(r"^%s<bob> (\S+)\n {12}(\S+)\n {12}(\S+)$" % TS)
        check(m.group(1) == cjk[:14] and m.group(2) == cjk[14:28] and
              m.group(3) == cjk[28:], "wide line wrapped wrongly: %r"
              % (m.groups(),))
        mixed = "cafe\u0301 \U0001F389 na\u00efve \uFF21\uFF22 end"
        b.line(mixed)
        a.wait(r"^%s<bob> cafe\u0301 \U0001F389 na\u00efve "
               r"\uFF21\uFF22 end$" % TS)
        check("[alice]" in a.status(), "status line intact")


def test_scrollback_and_unread():
    with Server("--flood-rate", "0") as srv, tui(srv.port, "alice") as a:
        connected(a, "alice")
        obs = observer(srv, "bob")
        for i in range(100):
            obs.send("scroll-%03d" % i)
        a.wait(r"<bob> scroll-099$")
        a.keys("PPage")
        a.wait_gone(r"scroll-099$")
        a.wait(r"\[scrolled\]")
        before = a.rows()[:38]
        check(any("scroll-06" in r for r in before), "page up shows "
              "earlier lines: %r" % before)
        for i in range(5):
            obs.send("late-%d" % i)
        a.wait(r"\[5 unread\]")
        check(a.rows()[:38] == before, "new lines moved the view")
        for _ in range(10):
            if "unread" not in a.status() and "scrolled" not in a.status():
                break
            a.keys("NPage")
            time.sleep(0.1)
        a.wait(r"<bob> late-4$")
        check("unread" not in a.status(), "unread count after PgDn")
        # Home while scrolled goes to the top, End back to the bottom.
        a.keys("PPage")
        a.wait(r"\[scrolled\]")
        a.keys("Home")
        a.wait(r"^%s\*\*\* connected to lobby as alice$" % TS)
        a.keys("End")
        a.wait(r"<bob> late-4$")
        wait_until(lambda: "scrolled" not in a.status(), what="bottom")


def test_scrollback_limit():
    with Server("--flood-rate", "0") as srv, \
            tui(srv.port, "alice", 60, 10, ["--scrollback", "30"]) as a:
        connected(a, "alice")
        obs = observer(srv, "bob")
        for i in range(60):
            obs.send("keep-%02d" % i)
        a.wait(r"keep-59$")
        a.keys("PPage")
        a.wait(r"\[scrolled\]")
        a.keys("Home")
        # Only the last 30 lines are kept.
        a.wait(r"\A%s<bob> keep-30$" % TS)


def test_resize():
    long = " ".join("word%02d" % i for i in range(40))
    with Server() as srv, tui(srv.port, "alice") as a:
        connected(a, "alice")
        a.line("first-marker")
        a.line(long)
        a.wait(r"word39$")
        a.type("draft text")
        a.wait(r"^draft text$")
        for w, h in ((50, 20), (20, 5), (300, 100), (120, 40)):
            a.resize(w, h)
            wait_until(lambda: a.fmt("#{window_width}x#{window_height}")
                       == "%dx%d" % (w, h), what="resize")
            a.wait(r"^draft text$")
            a.wait(r"^ (\[127\.0\.0\.1:\d+\] )?(\[lobby\] )?\[alice\]")
            if h >= 20:
                a.wait(r"<alice> first-marker$")
                a.wait(r"word39$")
        # Nothing was lost and the input is still there to send.
        a.keys("Enter")
        a.wait(r"^%s<alice> draft text$" % TS)
        a.wait(r"<alice> first-marker$")


def test_long_input_scrolls():
    text = "".join("%02d-456789" % i for i in range(8))
    with Server() as srv, tui(srv.port, "alice", 30, 8) as a:
        connected(a, "alice")
        a.type(text)
        # The field is 29 columns: the end of the line shows, cursor last.
        row = a.wait(r"^(\S+)\n?\Z").group(1)
        check(len(row) <= 29 and text.endswith(row) and len(row) > 20,
              "the input scrolled to its end: %r" % row)
        check(a.fmt("#{cursor_x} #{cursor_y}") == "%d 7" % len(row),
              "cursor after the text")
        a.keys("Home")
        row = a.wait(r"^(00-\S+)\n?\Z").group(1)
        check(text.startswith(row), "Home shows the start: %r" % row)
        check(a.fmt("#{cursor_x}") == "0", "cursor at the start")
        a.keys("Enter")
        a.wait(r"<alice> 00-456789")
        a.wait(r"^ {14}7-456789$")


def test_reconnect_pending():
    port = free_port()
    srv = Server("-p", str(port))
    try:
        check(srv.port == port, "server on the chosen port")
        with tui(port, "alice") as a:
            connected(a, "alice")
            srv.proc.kill()
            srv.wait()
            a.wait(r"\*\*\* disconnected")
            a.wait(r"\[disconnected\]")
            a.line("pending one")
            a.line("pending two")
            a.wait(r"^\(pending\) pending one\n\(pending\) pending two$")
            srv.kill()
            srv = Server("-p", str(port))
            obs = srv.client()
            obs.login()
            obs.expect(r"^(\[\d\d:\d\d\] )?<alice> pending one$", 15)
            obs.expect(r"^(\[\d\d:\d\d\] )?<alice> pending two$")
            connected(a, "alice", 15)
            a.wait_gone(r"\(pending\)")
            a.wait(r"<alice> pending two$")
            a.line("after reconnect")
            obs.expect(r"^<alice> after reconnect$")
    finally:
        srv.kill()


def test_resume_after_drop():
    with Server("--flood-rate", "0", stdin=True) as srv, \
            tui(srv.port, "alice") as a:
        connected(a, "alice")
        obs = observer(srv, "bob")
        obs.send("before-1")
        obs.send("before-2")
        a.wait(r"<bob> before-2$")
        srv.console("/kick alice testing")
        a.wait(r"\[disconnected\]")
        for i in range(1, 4):
            obs.send("during-%d" % i)
        obs.send("/who")
        obs.expect(r"users in lobby \(1\)")
        check("[disconnected]" in a.status(), "sent while away")
        connected(a, "alice", 15)
        a.wait(r"<bob> during-3$")
        obs.send("after")
        a.wait(r"<bob> after$")
        seen = [m for m in re.findall(r"<bob> (\S+)$", a.screen(), re.M)]
        check(seen == ["before-1", "before-2", "during-1", "during-2",
                       "during-3", "after"],
              "each message once and in order: %r" % seen)


def test_quit_restores_terminal():
    with Server() as srv, tui(srv.port, "alice") as a:
        connected(a, "alice")
        obs = observer(srv, "bob")
        wait_until(lambda: a.fmt("#{alternate_on}") == "1",
                   what="full screen")
        a.line("/quit see you")
        check(a.exit_status() == 0, "exit status 0 after /quit")
        obs.expect(r"^\*\*\* alice quit \(see you\)$")
        tty_sane(a)
        check(a.fmt("#{alternate_on}") == "0", "left the alternate screen")
        check(a.fmt("#{cursor_flag}") == "1", "cursor visible")


def test_signals_restore_terminal():
    with Server() as srv:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with tui(srv.port, "alice") as a:
                connected(a, "alice")
                os.kill(a.client_pid(), sig)
                check(a.exit_status() == 0, "exit status 0 after %s" % sig)
                tty_sane(a)
                check(a.fmt("#{alternate_on}") == "0",
                      "left the alternate screen")


def test_hup_and_quit_restore_terminal():
    """Issue 11, defect 9: SIGHUP ends the client as SIGTERM does, with
    the terminal restored and a clean goodbye to the server; SIGQUIT
    restores the terminal and then dies of the signal.  In plain mode
    SIGHUP is a clean end too."""
    core = resource.getrlimit(resource.RLIMIT_CORE)
    # No core file from the SIGQUIT below (tmux and the pane inherit it).
    resource.setrlimit(resource.RLIMIT_CORE, (0, core[1]))
    try:
        with Server() as srv:
            obs = observer(srv, "bob")
            with tui(srv.port, "alice") as a:
                connected(a, "alice")
                wait_until(lambda: a.fmt("#{alternate_on}") == "1",
                           what="full screen")
                os.kill(a.client_pid(), signal.SIGHUP)
                check(a.exit_status() == 0, "exit status 0 after SIGHUP")
                tty_sane(a)
                check(a.fmt("#{alternate_on}") == "0",
                      "left the alternate screen after SIGHUP")
            obs.expect(r"^\*\*\* alice quit")
            with tui(srv.port, "alice") as a:
                connected(a, "alice")
                wait_until(lambda: a.fmt("#{alternate_on}") == "1",
                           what="full screen")
                os.kill(a.client_pid(), signal.SIGQUIT)
                check(a.exit_status() == 128 + signal.SIGQUIT,
                      "died of SIGQUIT: %r" % a.screen())
                tty_sane(a)
                check(a.fmt("#{alternate_on}") == "0",
                      "left the alternate screen after SIGQUIT")
            with Tmux(["--plain", "-n", "carol", "-p", str(srv.port),
                       "127.0.0.1"]) as p:
                obs.expect(r"carol joined lobby$")
                os.kill(p.client_pid(), signal.SIGHUP)
                check(p.exit_status() == 0, "plain: exit 0 after SIGHUP")
                obs.expect(r"^\*\*\* carol quit")
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, core)


def test_cannot_connect():
    port = free_port()
    with Tmux(["-p", str(port), "127.0.0.1"]) as a:
        check(a.exit_status() == 1, "exit status 1")
        a.wait(r"^chat-client: .*127\.0\.0\.1.*%d.*\nEXIT:1$" % port)
        tty_sane(a)
        check(a.fmt("#{alternate_on}") == "0", "curses never started")


def test_keys_and_completion():
    with Server() as srv, tui(srv.port, "alice") as a, \
            tui(srv.port, "bobby") as b:
        connected(a, "alice")
        connected(b, "bobby")
        a.wait(r"\[2 users\]")
        # Tab completes a nick at the start of a line with ": ".
        a.type("bo")
        a.keys("Tab")
        a.type("hi")
        a.keys("Enter")
        b.wait(r"<alice> bobby: hi$")
        # Editing: Home, Ctrl-E, Left, Backspace, Delete, Ctrl-W, Ctrl-U.
        a.type("world")
        a.keys("Home")
        a.type("hello ")
        a.keys("C-e", "Left", "BSpace", "Delete")
        a.type("x")
        a.wait(r"^hello worx$")
        a.keys("C-w")
        a.type("there")
        a.wait(r"^hello there$")
        a.keys("C-u")
        a.type("/wh")
        a.keys("Tab")
        a.wait(r"^/who$")
        a.keys("Enter")
        a.wait(r"users in lobby \(2\)")
        # Up recalls the history; a paste of two lines sends two.
        a.keys("Up")
        a.wait(r"^/who$")
        a.keys("C-u")
        a.type("paste one\npaste two\n")
        b.wait(r"<alice> paste one\n%s<alice> paste two$" % TS)
        a.line("/help")
        a.wait(r"/quit \[REASON\]")
        a.line("/clear")
        a.wait_gone(r"paste one")


def test_long_paste_refused():
    """Issue 11, defect 8: a pasted line longer than the 4,056 bytes a
    line holds (4,095 less room for its token) is not cut silently: the
    input line keeps what fits, on a character, and one warning says the
    rest was not taken."""
    full = r"input line full \(4056 bytes\): the rest was not inserted$"
    text = "".join("%04d-" % i for i in range(1000))    # 5,000 bytes
    wide = "\u00e9" * 2100                             # 4,200 bytes
    # Tall enough that both long lines and the warnings stay in view.
    with Server() as srv, tui(srv.port, "alice", 120, 100) as a:
        connected(a, "alice")
        obs = observer(srv, "bob")
        for i in range(0, len(text), 500):
            a.type(text[i:i + 500])
        a.wait(full)
        a.keys("Enter")
        m = obs.expect(r"^<alice> (\S+)$", 10)
        check(m.group(1) == text[:4056], "the first 4056 bytes sent: %d "
              "bytes, ending %r" % (len(m.group(1)), m.group(1)[-10:]))
        a.wait(r"<alice> 0000-0001-")
        check(len(re.findall(full, a.screen(), re.M)) == 1,
              "one warning for the paste: %r" % a.screen())
        # A character is never split: 2,028 of 2-byte ones fit.
        a.type(wide)
        a.keys("Enter")
        m = obs.expect(r"^<alice> (\S+)$", 10)
        check(m.group(1) == wide[:2028], "whole characters: %d sent"
              % len(m.group(1)))
        wait_until(lambda: len(re.findall(full, a.screen(), re.M)) == 2,
                   what="a warning for the second paste", last=a.screen)
        # A line that fits is sent whole, and warns of nothing.
        a.line("short one")
        obs.expect(r"^<alice> short one$")
        a.wait(r"<alice> short one$")
        check(len(re.findall(full, a.screen(), re.M)) == 2,
              "no warning for a line that fits")


def test_colours_and_highlights():
    with Server() as srv, tui(srv.port, "alice") as a:
        connected(a, "alice")
        obs = observer(srv, "bob")
        obs.send("hey alice")
        obs.send("/me waves")
        obs.send("/msg alice psst")
        a.line("mine")
        a.wait(r"<alice> mine$")
        at = a.attrs_at
        check({"bold", "fg=3"} <= at("hey alice"), "a mention is "
              "highlighted: %r" % at("hey alice"))
        check("bold" in at("mine"), "own lines are bold")
        check("dim" in at("alice joined lobby"), "events are dimmed")
        check("fg=5" in at("waves"), "actions are set apart")
        check("fg=2" in at("psst"), "private messages are set apart")
        check("reverse" in at("[lobby] [alice]"), "status line")
        bob = [x for x in at("bob> hey") if x.startswith("fg=")]
        check(len(bob) == 1 and bob == [x for x in at("bob waves")
                                        if x.startswith("fg=")],
              "a nick keeps its colour")
    # Without colours, the same lines stay apart by attributes alone.
    with Server() as srv, Tmux(["-n", "alice", "-p", str(srv.port),
                                "127.0.0.1"], term="vt100") as a:
        connected(a, "alice")
        obs = observer(srv, "bob")
        obs.send("hey alice")
        a.wait(r"<bob> hey alice$")
        check(not any(x.startswith("fg=") for x in a.attrs_at("hey alice")),
              "no colour on vt100")
        check({"bold", "reverse"} <= a.attrs_at("hey alice"),
              "a mention stands out without colour: %r"
              % a.attrs_at("hey alice"))
        check("bold" in a.attrs_at("bob> hey"), "nicks bold")


def test_hostile_server():
    junk = [
        b"hello 1700000000000 lobby mallory 5 0 chat-server\\s9\r\n",
        b"msg 1700000000000 lobby eve 5 1 \\x1b]0;pwned\\x07title\r\n",
        b"msg 1700000000000 lobby eve 5 2 \\x1b[?1049l\\x1b[2Jred\r\n",
        b"msg 1700000000000 lobby eve 5 3 bidi\xe2\x80\xaeevil\r\n",
        b"msg 1700000000000 lobby eve 5 4 bad\xff\xfeutf8\r\n",
        b"\x1b]2;raw title\x07not a frame\r\n",
        b"notice 1700000000000 - - 0 0 " + b"x" * (10 << 20) + b"\r\n",
        b"notice 1700000000000 - - 0 0 still\\salive\r\n",
    ]
    with FakeServer(junk) as fake, Tmux(["-n", "tester", "-p",
                                         str(fake.port), "127.0.0.1"]) as a:
        title = a.fmt("#{pane_title}")
        a.wait(r"\*\*\* still alive$", 10)
        a.wait(r"<eve> \u241b\]0;pwned\u2407title$")
        a.wait(r"<eve> \u241b\[\?1049l\u241b\[2Jred$")
        a.wait(r"<eve> bidi\ufffdevil$")
        a.wait(r"<eve> bad\ufffd\ufffdutf8$")
        a.wait(r"\u241b\]2;raw title\u2407not a frame$")
        a.wait(r"too long; dropped$")
        check(a.fmt("#{pane_title}") == title, "title unchanged")
        check(a.fmt("#{alternate_on}") == "1", "still full screen")
        check("[mallory]" in a.status(), "status line intact")
        with open("/proc/%d/status" % a.client_pid()) as f:
            rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
        check(rss < 40 * 1024, "memory bounded: %d kB" % rss)


def test_replay_notice_and_save():
    """No replay notice for an empty history, one for a history; /save
    writes the scrollback, a burst included, each line once, in order."""
    tmp = tempfile.mkdtemp(prefix="cc-save.")
    path = os.path.join(tmp, "sb.txt")
    try:
        with Server("--flood-rate", "0", "--sendq", "4194304", "-H", "5") \
                as srv, \
                tui(srv.port, "alice", extra=["--scrollback", "5000"]) as a:
            connected(a, "alice")
            a.wait(r"\*\*\* users in lobby")
            check("0 messages" not in a.screen(),
                  "empty replay shown: %r" % a.screen())
            obs = observer(srv, "bob")
            obs.send_raw(b"".join(b"burst-%04d\n" % i
                                 for i in range(3000)))
            a.wait(r"<bob> burst-2999$", 20)
            a.line("/save " + path)
            m = a.wait(r"saved (\d+) lines to ")
            with open(path) as f:
                got = re.findall(r"^%s<bob> (burst-\d{4})$" % TS, f.read(),
                                 re.M)
            check(got == ["burst-%04d" % i for i in range(3000)],
                  "saved %d burst lines, first %r" % (len(got), got[:3]))
            check(int(m.group(1)) >= 3000, "count: %s" % m.group(1))
            a.line("/save")
            a.wait(r"usage: /save FILE")
            with tui(srv.port, "carol") as c:
                connected(c, "carol")
                c.wait(r"\*\*\* 5 messages\n.*<bob> burst-2995$")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    run_tests([
        ("two_clients", test_two_clients),
        ("wide_characters", test_wide_characters),
        ("scrollback_and_unread", test_scrollback_and_unread),
        ("scrollback_limit", test_scrollback_limit),
        ("resize", test_resize),
        ("long_input_scrolls", test_long_input_scrolls),
        ("reconnect_pending", test_reconnect_pending),
        ("resume_after_drop", test_resume_after_drop),
        ("quit_restores_terminal", test_quit_restores_terminal),
        ("signals_restore_terminal", test_signals_restore_terminal),
        ("hup_and_quit_restore_terminal",
         test_hup_and_quit_restore_terminal),
        ("cannot_connect", test_cannot_connect),
        ("keys_and_completion", test_keys_and_completion),
        ("long_paste_refused", test_long_paste_refused),
        ("colours_and_highlights", test_colours_and_highlights),
        ("hostile_server", test_hostile_server),
        ("replay_notice_and_save", test_replay_notice_and_save),
    ])
