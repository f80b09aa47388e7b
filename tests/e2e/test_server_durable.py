#!/usr/bin/python3
"""End-to-end tests of exactly-once lines over a durable history: frame
clients that keep each line until its ack and send it again after a
reconnect, while the server is killed with SIGKILL at random moments and
started again on the same database; and a commit that fails because of a
file size limit.  Real server, real SQLite files in a temporary
directory."""

import os
import random
import resource
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

from chatlib import (Frame, Server, TestError, check, run_tests, scaled)
from clientlib import client_path


class FrameReader:
    """The frames a socket brings, one recv at a time; the socket's
    timeout fails the test unless patient, when it is only a pause."""

    def __init__(self, sock, patient=True):
        self.sock = sock
        self.patient = patient
        self.buf = b""

    def read(self):
        """The frames one recv completes: [] on a pause, None at EOF."""
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            if not self.patient:
                raise TestError("no frame in time")
            return []
        if not data:
            return None
        lines = (self.buf + data).split(b"\r\n")
        self.buf = lines.pop()
        return [Frame(l.decode()) for l in lines]


class OnceSender:
    """A client as chat-client behaves: protocol 2, a token on every
    line, each line kept until its ack and sent again, in order, after a
    reconnect.  Records the ack of every line: its id, or 0 if refused."""

    def __init__(self, nick, lines):
        self.nick = nick
        self.lines = lines              # [(token, text)] in order
        self.acked = {}                 # token -> id (0: refused)
        self.errors = []
        self.connects = 0
        self.nsent = 0                  # lines sent, resent ones too
        self.port = None
        self.stop = False

    def run(self, deadline):
        while not self.stop and time.monotonic() < deadline:
            if len(self.acked) == len(self.lines):
                return
            try:
                self.session(deadline)
            except (OSError, TestError, ValueError):
                pass
            time.sleep(0.02)

    def session(self, deadline):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connects += 1
        r = FrameReader(s)
        try:
            s.sendall(b"CHAT/2 nick=%s\n" % self.nick.encode())
            up = False
            sent = 0                    # of the unacked, in order
            while time.monotonic() < deadline and not self.stop:
                todo = [t for t in self.lines if t[0] not in self.acked]
                if not todo:
                    return
                if up and sent < len(todo) and sent < 8:
                    tok, text = todo[sent]
                    s.sendall(b"@%s %s\n" % (tok.encode(), text.encode()))
                    sent += 1
                    self.nsent += 1
                    time.sleep(random.uniform(0.002, 0.010))
                s.settimeout(0.01 if up and sent < 8 else 0.5)
                frames = r.read()
                if frames is None:
                    return
                for f in frames:
                    if f.kind == "who":
                        up = True
                    elif f.kind == "ack":
                        self.acked[f.text] = f.id
                        sent -= 1
                    elif f.kind == "error":
                        self.errors.append(f.text)
        finally:
            s.close()


def history(port, room="lobby"):
    """Every message of room, by replay: [(id, nick, text)]."""
    c = socket.create_connection(("127.0.0.1", port), timeout=scaled(10))
    c.sendall(b"CHAT/2 nick=reader room=%s\n" % room.encode())
    r, got = FrameReader(c, patient=False), []
    while True:
        frames = r.read()
        if frames is None:
            raise TestError("EOF during replay")
        for f in frames:
            if f.kind in ("msg", "act"):
                got.append((f.id, f.nick, f.text))
            elif f.kind == "join":
                c.close()
                return got


def start(dbfile, port=None, **kw):
    args = ["--db", dbfile, "--flood-rate", "0", "-H", "5000"]
    if port is not None:
        args += ["-p", str(port)]
    return Server(*args, **kw)


def check_history(hist, senders):
    ids = [h[0] for h in hist]
    check(ids == list(range(1, len(ids) + 1)),
          "ids contiguous from 1: %r" % ids[:20])
    texts = [h[2] for h in hist]
    check(len(texts) == len(set(texts)), "no line twice: %r" %
          sorted(t for t in texts if texts.count(t) > 1)[:10])
    where = {h[2]: h for h in hist}
    for s in senders:
        order = []
        for tok, text in s.lines:
            got = s.acked.get(tok)
            if got:
                check(text in where and where[text][0] == got,
                      "%s: acked %s as %d, history: %r" %
                      (s.nick, tok, got, where.get(text)))
                order.append(got)
        check(order == sorted(order), "%s: in the order typed" % s.nick)


def test_kill9_while_sending():
    tmp = tempfile.mkdtemp(prefix="chat-durable.")
    db = os.path.join(tmp, "chat.db")
    srv = start(db)
    port = srv.port
    senders = [OnceSender("s%d" % i, [("s%d.%d" % (i, n), "s%d line %d"
                                       % (i, n)) for n in range(300)])
               for i in range(3)]
    deadline = time.monotonic() + scaled(60)
    threads = []
    try:
        for s in senders:
            s.port = port
            t = threading.Thread(target=s.run, args=(deadline,),
                                 daemon=True)
            t.start()
            threads.append(t)
        rnd = random.Random(os.getpid())
        for _ in range(3):
            time.sleep(rnd.uniform(0.1, 0.4))
            srv.proc.send_signal(signal.SIGKILL)
            srv.kill()
            srv = start(db, port)
        for t in threads:
            t.join(max(deadline - time.monotonic(), 0))
        for s in senders:
            check(len(s.acked) == len(s.lines), "%s: %d of %d acked" %
                  (s.nick, len(s.acked), len(s.lines)))
            check(all(v != 0 for v in s.acked.values()),
                  "%s: none refused: %r" % (s.nick, s.errors[:3]))
            # Sending outlasts the kills: each one cut every sender.
            check(s.connects >= 4, "%s reconnected after each kill: %d "
                  "connections" % (s.nick, s.connects))
        check(srv.stop() == 0, "clean stop")
        srv.kill()
        srv = start(db, port)
        hist = history(srv.port)
        check(len(hist) == 900, "900 lines in the history, got %d"
              % len(hist))
        print("     %d lines sent for 900, over %s connections"
              % (sum(s.nsent for s in senders),
                 "/".join(str(s.connects) for s in senders)))
        check_history(hist, senders)
        check(srv.stop() == 0, "clean stop")
    finally:
        for s in senders:
            s.stop = True
        srv.kill()
        shutil.rmtree(tmp, ignore_errors=True)


class Relay:
    """A TCP relay to the server's port, so that a test can reset the
    client's link: one pair of sockets at a time, all moved by one
    thread; an upstream that refuses closes the client's side at once."""

    def __init__(self, target):
        self.target = target
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(8)
        self.port = self.lsock.getsockname()[1]
        self.want_reset = threading.Event()
        self.done = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        pair = []
        while not self.done:
            if self.want_reset.is_set():
                self.want_reset.clear()
                for x in pair:
                    x.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 struct.pack("ii", 1, 0))
                    x.close()
                pair = []
            r, _, _ = select.select([self.lsock] + pair, [], [], 0.02)
            if self.lsock in r:
                c, _ = self.lsock.accept()
                try:
                    u = socket.create_connection(("127.0.0.1",
                                                  self.target))
                except OSError:
                    c.close()
                    continue
                for x in pair:
                    x.close()
                pair = [c, u]
                continue
            for a in r:
                try:
                    data = a.recv(65536)
                    if data:
                        (pair[1] if a is pair[0] else pair[0]).sendall(data)
                        continue
                except OSError:
                    pass
                for x in pair:
                    x.close()
                pair = []
                break
        for x in pair:
            x.close()
        self.lsock.close()

    def reset(self):
        """Resets both sides of the current pair, as a lost route can."""
        self.want_reset.set()

    def close(self):
        self.done = True
        self.thread.join(5)


class Watcher:
    """A frame client that comes back after every restart, resuming
    from the last message it saw; keeps every message in order."""

    def __init__(self, port):
        self.port = port
        self.msgs = []                  # (id, nick, text)
        self.epoch = None
        self.notices = []
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                self.session()
            except (OSError, ValueError, TestError):
                pass
            time.sleep(0.02)

    def session(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=1)
        hello = b"CHAT/2 nick=watch"
        if self.epoch is not None:
            last = self.msgs[-1][0] if self.msgs else 0
            hello += b" epoch=%d last=%d" % (self.epoch, last)
        s.sendall(hello + b"\n")
        r = FrameReader(s)
        try:
            while not self.stop:
                frames = r.read()
                if frames is None:
                    return
                for f in frames:
                    if f.kind == "hello":
                        self.epoch = f.epoch
                    elif f.kind == "msg":
                        self.msgs.append((f.id, f.nick, f.text))
                    elif f.kind in ("notice", "error"):
                        self.notices.append(f.text)
        finally:
            s.close()


def test_plain_client_exactly_once():
    """chat-client --plain sends 200 numbered lines while the server is
    killed and started again three times and its link is reset once: a
    watcher sees each line once, in order."""
    tmp = tempfile.mkdtemp(prefix="chat-durable.")
    db = os.path.join(tmp, "chat.db")
    srv = start(db)
    port = srv.port
    relay = Relay(port)
    watch = Watcher(port)
    p = subprocess.Popen([client_path(), "--plain", "-n", "p1", "-p",
                          str(relay.port), "127.0.0.1"],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    fed = threading.Event()

    def feed():
        try:
            for n in range(200):
                p.stdin.write(b"line %03d\n" % n)
                p.stdin.flush()
                time.sleep(0.06)
            p.stdin.close()
        except OSError:
            pass
        fed.set()

    rnd = random.Random(os.getpid())
    try:
        srv.wait_log(r"registered as p1")
        threading.Thread(target=feed, daemon=True).start()
        for event in rnd.sample(["kill", "kill", "kill", "reset"], 4):
            time.sleep(rnd.uniform(0.1, 0.5))
            n = srv.count_log(r"registered as p1") if event == "reset" \
                else 0
            if event == "kill":
                srv.proc.send_signal(signal.SIGKILL)
                srv.kill()
                srv = start(db, port)
            else:
                relay.reset()
            # The next blow only once the client is back.
            if n == 0:
                srv.wait_log(r"registered as p1", timeout=20)
            else:
                wait_count(srv, r"registered as p1", n + 1)
        check(not fed.is_set(), "every blow fell while lines were typed")
        rc = p.wait(scaled(60))
        err = p.stderr.read().decode(errors="replace")
        check(rc == 0, "chat-client exit status %d: %s" % (rc, err))
        check(fed.is_set(), "all 200 lines fed")
        want = ["line %03d" % n for n in range(200)]
        deadline = time.monotonic() + scaled(10)
        while time.monotonic() < deadline:
            got = [m[2] for m in watch.msgs if m[1] == "p1"]
            if len(got) >= 200:
                break
            time.sleep(0.05)
        check(got == want, "the watcher saw each line once, in order: "
              "%d lines, first wrong %r" % (len(got), next(
                  (g for g, w in zip(got, want) if g != w), None)))
        check(not any("restarted" in t for t in watch.notices),
              "no restart notice: %r" % watch.notices)
        check([h[2] for h in history(srv.port) if h[1] == "p1"] == want,
              "the history holds each line once, in order")
        check(srv.stop() == 0, "clean stop")
    finally:
        watch.stop = True
        relay.close()
        if p.poll() is None:
            p.kill()
            p.wait()
        srv.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def wait_count(srv, pattern, n, timeout=20):
    deadline = time.monotonic() + scaled(timeout)
    while srv.count_log(pattern) < n:
        if time.monotonic() > deadline:
            raise TestError("server log: fewer than %d lines matching %r:"
                            "\n%s" % (n, pattern, "\n".join(srv.log[-15:])))
        time.sleep(0.02)


def test_token_survives_kill():
    """A line taken before a SIGKILL, sent again after the restart with
    its token: answered with its first id, not taken twice."""
    tmp = tempfile.mkdtemp(prefix="chat-durable.")
    db = os.path.join(tmp, "chat.db")
    srv = start(db)
    try:
        a = srv.frame_client(nick="alice")
        a.expect_frame("who")
        a.send("@k9.1 before the kill")
        m = a.expect_frame("msg")
        a.expect_frame("ack", lambda f: f.id == m.id)
        srv.proc.send_signal(signal.SIGKILL)
        srv.kill()
        srv = start(db, srv.port)
        b = srv.frame_client(nick="alice")
        h = b.expect_frame("hello")
        check(h.epoch == m.epoch and h.id == m.id, "epoch and last id "
              "kept: %r" % h)
        b.expect_frame("who")
        b.send("@k9.1 before the kill")
        b.send("@k9.2 after it")
        ack = b.expect_frame("ack")
        check(ack.text == "k9.1" and ack.id == m.id and ack.epoch == m.epoch,
              "the repeat answered with its first id: %r" % ack)
        nxt = b.expect_frame("msg")
        check(nxt.text == "after it" and nxt.id == m.id + 1,
              "not taken twice; ids go on: %r" % nxt)
        check([x[2] for x in history(srv.port)] ==
              ["before the kill", "after it"], "history")
        check(srv.stop() == 0, "clean stop")
    finally:
        srv.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def test_file_size_limit():
    tmp = tempfile.mkdtemp(prefix="chat-durable.")
    db = os.path.join(tmp, "chat.db")
    limit = 256 * 1024

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    srv = start(db, preexec=small_files)
    port = srv.port
    big = "x" * 1500
    senders = [OnceSender("f%d" % i, [("f%d.%d" % (i, n), "f%d %d %s"
                                       % (i, n, big)) for n in range(300)])
               for i in range(2)]
    watch = srv.frame_client(nick="watch")
    watch.expect_frame("who")
    deadline = time.monotonic() + scaled(60)
    try:
        threads = []
        for s in senders:
            s.port = port
            t = threading.Thread(target=s.run, args=(deadline,),
                                 daemon=True)
            t.start()
            threads.append(t)
        for t in threads:
            t.join(max(deadline - time.monotonic(), 0))
        check(srv.proc.poll() is None, "the server is alive")
        refused = sum(1 for s in senders for v in s.acked.values()
                      if v == 0)
        taken = sum(1 for s in senders for v in s.acked.values() if v)
        check(refused > 0 and taken > 0, "some taken (%d), some refused "
              "(%d) at the limit" % (taken, refused))
        check(any("could not be stored" in e for s in senders
                  for e in s.errors), "senders told why")
        # Once when storing stops, once when it comes back: never a
        # line per message.
        fails = srv.count_log(r"history: cannot store")
        again = srv.count_log(r"history: storing again")
        check(fails >= 1 and again in (fails - 1, fails) and fails < 10,
              "the failure logged once a time: %r" % [
                  l for l in srv.log if "stor" in l][:8])
        # The watcher saw exactly the lines taken, nothing refused.
        seen = set()
        watch.send("/ping end")
        for f in watch.frames_until("pong", timeout=30):
            if f.kind == "msg":
                seen.add(f.text)
        want = {text for s in senders for tok, text in s.lines
                if s.acked.get(tok)}
        check(seen == want, "watcher: %d seen, %d taken" %
              (len(seen), len(want)))
        # Still serving: a newcomer is welcomed.
        n = srv.frame_client(nick="late")
        n.expect_frame("who")
        check(srv.stop() == 0, "clean stop")
        srv.kill()
        srv = start(db, port)
        hist = history(srv.port)
        check({h[2] for h in hist} == want,
              "after a restart the history holds exactly the lines taken")
        check_history(hist, senders)
        check(srv.stop() == 0, "clean stop")
    finally:
        for s in senders:
            s.stop = True
        srv.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    run_tests([(n[5:], f) for n, f in sorted(globals().items())
               if n.startswith("test_")])
