#!/usr/bin/python3
"""End-to-end tests of chat-server --db: history, epochs and ids across a
restart and a SIGKILL, a resume after a restart, a room kept after its
last member left, every file the server refuses (left byte for byte as
it was), a second server on one file, retention that stops the file
growing, and a commit that fails on a file size limit and recovers.
Each test has a temporary directory of its own."""

import os
import resource
import shutil
import sqlite3
import subprocess
import tempfile
import time

from chatlib import (Server, TestError, check, run_tests, scaled,
                     server_path, server_wrapper)

NOBODY = 65534


class Dir:
    """A temporary directory that others may enter, removed at the end."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="chat-store.")
        os.chmod(self.path, 0o755)
        return self

    def __exit__(self, *exc):
        for root, dirs, _ in os.walk(self.path):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(self.path, ignore_errors=True)
        return False

    def file(self, name):
        return os.path.join(self.path, name)


def db_server(db, *args):
    return Server("--db", db, *args)


def snapshot(path):
    """The bytes of path and of its journals, None for those missing."""
    out = {}
    for ext in ("", "-wal", "-shm", "-journal"):
        try:
            with open(path + ext, "rb") as f:
                out[ext] = f.read()
        except FileNotFoundError:
            out[ext] = None
    return out


def settled(path):
    """The snapshot of a file a running server keeps, once its writes
    are over: its once-a-second folding of the log into the file
    included (unchanged for a little over a second)."""
    last, since = snapshot(path), time.monotonic()
    deadline = since + scaled(10)
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = snapshot(path)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > scaled(1.5):
            return now
    raise TestError("%s keeps changing" % path)


def as_nobody():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def refused(db, pre=None):
    """Runs a server on db that must refuse it: exit 1 with one line on
    stderr; returns that line."""
    p = subprocess.run(server_wrapper() + [server_path(), "-p", "0", "-l",
                       "127.0.0.1", "--db", db], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=scaled(10),
                       preexec_fn=pre)
    err = p.stderr.decode("utf-8", "replace")
    check(p.returncode == 1, "exit status %d for %s; stderr:\n%s"
          % (p.returncode, db, err))
    line = [l for l in err.splitlines() if "chat-server: " in l]
    check(len(line) == 1 and db in line[0] and "listening" not in err,
          "one line naming %s: %r" % (db, err))
    return line[0]


def sql(db, query):
    c = sqlite3.connect(db)
    try:
        return c.execute(query).fetchall()
    finally:
        c.close()


def make_history(db):
    """A history file as a server leaves it, with one message."""
    with db_server(db) as srv:
        f = srv.frame_client(nick="maker")
        f.expect_frame("who")
        f.send("kept")
        f.expect_frame("msg")


def frames_of(srv, **kw):
    """A frame client's frames up to its who, and the client."""
    f = srv.frame_client(**kw)
    return f.frames_until("who"), f


def test_restart_keeps_history():
    with Dir() as d:
        db = d.file("history.db")
        with db_server(db) as srv:
            a = srv.client()
            an = a.login()
            got, f = frames_of(srv, nick="fred")
            epoch = got[0].epoch
            # One at a time: lines of two connections may be taken in
            # either order.
            a.send("one")
            sent = [f.expect_frame("msg")]
            a.send("/me waves")
            sent.append(f.expect_frame("act"))
            f.send("three")
            sent.append(f.expect_frame("msg"))
            check([m.id for m in sent] == [1, 2, 3], "ids 1 to 3")
            a.send("/join dev")
            a.expect(r"joined dev$")
            a.send("in dev")
            a.send("/ping done")
            a.expect(r"pong done")
        with db_server(db) as srv:
            got, g = frames_of(srv, nick="gina")
            check(got[0].kind == "hello" and got[0].epoch == epoch and
                  got[0].id == 3, "hello: same epoch, last 3: %r" % got[0])
            old = [x for x in got if x.kind in ("msg", "act")]
            check([(m.id, m.kind, m.nick, m.text) for m in old] ==
                  [(1, "msg", an, "one"), (2, "act", an, "waves"),
                   (3, "msg", "fred", "three")], "history: %r" % old)
            check(all(m.epoch == epoch for m in old), "its epoch")
            check(not any("restarted" in x.text for x in got),
                  "no restart notice")
            b = srv.client()
            b.send("")
            b.expect(r"^\*\*\* 3 messages$")
            b.expect(r"^\[\d\d:\d\d\] <%s> one$" % an)
            b.expect(r"^\[\d\d:\d\d\] \* %s waves$" % an)
            b.expect(r"^\[\d\d:\d\d\] <fred> three$")
            b.send("/join dev")
            b.expect(r"^\[\d\d:\d\d\] <%s> in dev$" % an)
            g.send("four")
            check(g.expect_frame("msg").id == 4, "ids go on")


def test_sigkill_ids_go_on():
    with Dir() as d:
        db = d.file("history.db")
        srv = db_server(db)
        try:
            got, f = frames_of(srv, nick="fred")
            epoch = got[0].epoch
            for i in range(5):
                f.send("m%d" % i)
            # Echoed means committed: the commit comes before delivery.
            check(f.expect_frame("msg", lambda m: m.text == "m4").id == 5,
                  "id 5")
        finally:
            srv.kill()
        with db_server(db) as srv:
            got, f = frames_of(srv, nick="fred")
            check(got[0].epoch == epoch and got[0].id == 5,
                  "after SIGKILL: epoch %d last %d" % (got[0].epoch,
                                                      got[0].id))
            f.send("after")
            check(f.expect_frame("msg").id == 6, "id 6, never reused")


def test_resume_after_restart():
    with Dir() as d:
        db = d.file("history.db")
        with db_server(db) as srv:
            got, f = frames_of(srv, nick="res")
            epoch = got[0].epoch
            a = srv.client()
            a.login()
            for i in range(3):
                a.send("seen %d" % i)
            last = [f.expect_frame("msg") for _ in range(3)][-1].id
            f.close()
            a.expect(r"res quit")
            for i in range(3):
                a.send("missed %d" % i)
            a.send("/ping done")
            a.expect(r"pong done")
        with db_server(db) as srv:
            got, g = frames_of(srv, nick="res", room="lobby", epoch=epoch,
                               last=last)
            notes = [x.text for x in got if x.kind == "notice"]
            check(not any("restarted" in n or "missed" in n for n in notes),
                  "no restart notice: %r" % notes)
            r = [x for x in got if x.kind == "replay"]
            check(len(r) == 1 and r[0].text == "3 messages", "replay %r" % r)
            msgs = [x for x in got if x.kind == "msg"]
            check([(m.id, m.text) for m in msgs] ==
                  [(last + 1 + i, "missed %d" % i) for i in range(3)],
                  "exactly the missed: %r" % msgs)


def test_room_kept_after_leave():
    with Dir() as d:
        db = d.file("history.db")
        with db_server(db) as srv:
            got, f = frames_of(srv, nick="dev1", room="dev")
            epoch = got[0].epoch
            f.send("x")
            f.send("y")
            f.expect_frame("msg", lambda m: m.text == "y")
            f.close()
            a = srv.client()
            a.login()
            a.send("/rooms")
            line = a.expect(r"rooms").string
            check("dev" not in line, "dev gone from the list: %r" % line)
            got, g = frames_of(srv, nick="dev2", room="dev")
            check(got[0].epoch == epoch and got[0].id == 2,
                  "same epoch, last 2: %r" % got[0])
            check([x.text for x in got if x.kind == "msg"] == ["x", "y"],
                  "its history replayed")


def test_bad_files():
    root = os.geteuid() == 0
    pre = as_nobody if root else None
    with Dir() as d:
        cases = []
        p = d.file("text.db")
        with open(p, "w") as f:
            f.write("these are not the pages of a database\n" * 100)
        cases.append((p, "is not an SQLite database", None))
        p = d.file("newer.db")
        make_history(p)
        c = sqlite3.connect(p)
        c.execute("PRAGMA user_version = 3")
        c.close()
        cases.append((p, "has history version 3, newer", None))
        p = d.file("other.db")
        c = sqlite3.connect(p)
        c.execute("CREATE TABLE accounts (name TEXT)")
        c.commit()
        c.close()
        cases.append((p, "another program's", None))
        # Read-only: a file this user cannot write.
        p = d.file("readonly.db")
        make_history(p)
        os.chmod(p, 0o444)
        cases.append((p, "is read-only", pre))
        # A writable file in a directory this user cannot write in.
        ro = d.file("ro")
        os.mkdir(ro)
        p = os.path.join(ro, "history.db")
        make_history(p)
        q = os.path.join(ro, "empty.db")
        open(q, "w").close()
        if root:
            os.chown(p, NOBODY, NOBODY)
            os.chown(q, NOBODY, NOBODY)
        else:
            os.chmod(ro, 0o555)
        cases.append((p, "cannot write in the directory", pre))
        cases.append((q, "cannot write in the directory", pre))
        cases.append((os.path.join(ro, "missing.db"), "cannot create", pre))
        for path, want, how in cases:
            before = snapshot(path)
            line = refused(path, how)
            check(want in line, "%s: %r" % (path, line))
            check(snapshot(path) == before, "%s left as it was" % path)
        check(not os.path.exists(os.path.join(ro, "missing.db")),
              "nothing made in the read-only directory")


def test_second_server():
    with Dir() as d:
        db = d.file("history.db")
        with db_server(db) as srv:
            f = srv.frame_client(nick="first")
            f.expect_frame("who")
            before = settled(db)
            line = refused(db)
            check("in use by another chat-server" in line, line)
            check(snapshot(db) == before, "left as it was")
            check(before["-shm"] is None, "no -shm file")
            f.send("still here")
            check(f.expect_frame("msg").id == 1, "the first serves on")


def flood(srv, rooms, n):
    """n lines from one text client in each room, each processed."""
    cs = []
    for room in rooms:
        c = srv.client()
        c.login()
        if room != "lobby":
            c.send("/join " + room)
            c.expect(r"joined %s$" % room)
        cs.append(c)
    text = "a line of chat about as long as most lines of chat are"
    for c in cs:
        c.send_raw(b"".join(b"%s %d\n" % (text.encode(), i)
                            for i in range(n)))
    for c in cs:
        c.send("/ping done")
    for c in cs:
        c.expect(r"pong done", timeout=30)
        c.close()


def test_keep_bounds_the_file():
    """--keep 1000: after 10,000 and 20,000 messages in each of two rooms
    the file is about the same size: what is kept is the same, and pages
    freed by deleting are reused rather than added to.  The margin is the
    free pages the store leaves for the next inserts (64 of 4 KiB) and
    10% more; the 10,000 more messages a room would take some 2 MB had
    the file kept growing.  Measured: the same size, to the page."""
    with Dir() as d:
        db = d.file("history.db")
        rooms = ("lobby", "dev")
        sizes = []
        for _ in range(2):
            with db_server(db, "--keep", "1000", "--flood-rate", "0") as srv:
                flood(srv, rooms, 10000)
            sizes.append(os.path.getsize(db))
            counts = sql(db, "SELECT count(*), max(id) - min(id) + 1 FROM "
                         "messages GROUP BY room")
            check(len(counts) == 2 and all(c == k and c <= 1000
                                           for c, k in counts),
                  "at most 1,000 a room, without a hole: %r" % counts)
        last = sql(db, "SELECT key, last FROM rooms ORDER BY key")
        check(last == [("dev", 20000), ("lobby", 20000)], "ids: %r" % last)
        check(sizes[1] <= sizes[0] * 1.1 + 64 * 4096,
              "file stops growing: %r" % sizes)
        print("     file %d then %d bytes: %.0f bytes a kept message"
              % (sizes[0], sizes[1], sizes[1] / 2000))


def test_commit_fails_and_recovers():
    with Dir() as d:
        db = d.file("history.db")
        with db_server(db, "--flood-rate", "0") as srv:
            got, f = frames_of(srv, nick="fred")
            f.send("before")
            f.expect_frame("msg")
            limit = max(os.path.getsize(db), os.path.getsize(db + "-wal"))
            hard = resource.prlimit(srv.pid, resource.RLIMIT_FSIZE)[1]
            resource.prlimit(srv.pid, resource.RLIMIT_FSIZE,
                             (limit + 16384, hard))
            big = "b" * 3000
            for i in range(5):
                f.send_raw(b"".join(b"big %d %s\n" % (i, big.encode())
                                    for _ in range(20)))
                f.send("/ping turn%d" % i)
                f.expect_frame("pong", lambda p: p.text == "turn%d" % i)
            srv.wait_log(r"history: cannot store: ")
            check(srv.count_log(r"history: cannot store") == 1,
                  "logged once")
            resource.prlimit(srv.pid, resource.RLIMIT_FSIZE, (hard, hard))
            f.send("after")
            f.expect_frame("msg", lambda m: m.text == "after")
            srv.wait_log(r"history: storing again")
            f.send("more")
            f.expect_frame("msg", lambda m: m.text == "more")
            time.sleep(0.1)
            check(srv.count_log(r"history: storing again") == 1,
                  "logged once")
        texts = [t for t, in sql(db, "SELECT text FROM messages ORDER BY id")]
        check(texts[0] == "before" and texts[-2:] == ["after", "more"],
              "kept: %r" % [t[:12] for t in texts])
        ids = [i for i, in sql(db, "SELECT id FROM messages ORDER BY id")]
        check(ids == list(range(1, len(ids) + 1)), "ids without a hole")


if __name__ == "__main__":
    run_tests([
        ("restart_keeps_history", test_restart_keeps_history),
        ("sigkill_ids_go_on", test_sigkill_ids_go_on),
        ("resume_after_restart", test_resume_after_restart),
        ("room_kept_after_leave", test_room_kept_after_leave),
        ("bad_files", test_bad_files),
        ("second_server", test_second_server),
        ("keep_bounds_the_file", test_keep_bounds_the_file),
        ("commit_fails_and_recovers", test_commit_fails_and_recovers),
    ], per_test=60)
