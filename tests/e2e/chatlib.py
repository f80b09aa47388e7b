"""chatlib: helpers for end-to-end tests of chat-server and chat-client.

Starts the server under test (env CHAT_SERVER) on 127.0.0.1 and port 0,
reads the port from its "listening on 127.0.0.1:PORT" log line, connects
text-mode and frame-mode clients over real sockets, reads lines with
timeouts, and always kills what it started.  Standard library only.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback

DEFAULT_TIMEOUT = 5.0


class TestError(AssertionError):
    pass


def server_path():
    path = os.environ.get("CHAT_SERVER")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "..", "server", "chat-server")
    return os.path.abspath(path)


class Server:
    """A chat-server process on a free port; use as a context manager."""

    def __init__(self, *args, stdin=False, timeout=DEFAULT_TIMEOUT):
        self.args = [server_path(), "-p", "0", "-l", "127.0.0.1"]
        self.args += [str(a) for a in args]
        self.log = []
        self.port = None
        self._cond = threading.Condition()
        self.proc = subprocess.Popen(
            self.args, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out = []
        threading.Thread(target=self._drain, args=(self.proc.stderr,
                         self.log), daemon=True).start()
        threading.Thread(target=self._drain, args=(self.proc.stdout,
                         self.out), daemon=True).start()
        line = self.wait_log(r"listening on 127\.0\.0\.1:(\d+)", timeout)
        self.port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))

    def _drain(self, fp, into):
        for raw in iter(fp.readline, b""):
            with self._cond:
                into.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def _wait_in(self, lines, pattern, timeout, what):
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for l in lines:
                    if rx.search(l):
                        return l
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and
                                 left < timeout - 0.5):
                    raise TestError("server %s: no line matching %r; got:\n%s"
                                    % (what, pattern, "\n".join(lines[-20:])))
                self._cond.wait(min(left, 0.1))

    def wait_log(self, pattern, timeout=DEFAULT_TIMEOUT):
        """Waits for a stderr line matching pattern; returns it."""
        return self._wait_in(self.log, pattern, timeout, "log")

    def wait_out(self, pattern, timeout=DEFAULT_TIMEOUT):
        """Waits for a stdout line (console replies) matching pattern."""
        return self._wait_in(self.out, pattern, timeout, "stdout")

    def console(self, line):
        """Types a line on the server's console (needs stdin=True)."""
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=DEFAULT_TIMEOUT):
        """Waits for the server to exit; returns its exit status."""
        return self.proc.wait(timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        for fp in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if fp is not None:
                try:
                    fp.close()
                except OSError:
                    pass

    def client(self, **kw):
        return Client(self.port, **kw)

    def frame_client(self, **kw):
        return FrameClient(self.port, **kw)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        self.check_sanitizer()
        return False

    def check_sanitizer(self):
        """Fails if the server's log holds a sanitizer report."""
        bad = [l for l in self.log if "Sanitizer" in l or
               "runtime error:" in l]
        if bad:
            raise TestError("sanitizer report from the server:\n%s"
                            % "\n".join(self.log[-40:]))


class Client:
    """A text-mode client: sends typed lines, reads CRLF lines."""

    def __init__(self, port, host="127.0.0.1", rcvbuf=None,
                 timeout=DEFAULT_TIMEOUT):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.buf = b""
        self.eof = False
        self.seen = []

    def send(self, line):
        if isinstance(line, str):
            line = line.encode()
        self.sock.sendall(line + b"\n")

    def send_raw(self, data):
        self.sock.sendall(data)

    def shutdown_write(self):
        self.sock.shutdown(socket.SHUT_WR)

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout()
        self.sock.settimeout(left)
        data = self.sock.recv(65536)
        if not data:
            self.eof = True
        self.buf += data

    def readline_bytes(self, timeout=DEFAULT_TIMEOUT):
        """The next line without CRLF, or None at EOF; raises on timeout."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            if self.eof:
                return None
            try:
                self._fill(deadline)
            except socket.timeout:
                raise TestError("timed out waiting for a line; seen:\n%s"
                                % "\n".join(self.seen[-20:]))
        line, self.buf = self.buf.split(b"\n", 1)
        if line.endswith(b"\r"):
            line = line[:-1]
        return line

    def readline(self, timeout=DEFAULT_TIMEOUT):
        line = self.readline_bytes(timeout)
        if line is None:
            return None
        s = line.decode("utf-8", "replace")
        self.seen.append(s)
        return s

    def expect(self, pattern, timeout=DEFAULT_TIMEOUT):
        """Reads lines until one matches the regex; returns the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        skipped = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestError("no line matching %r; got:\n%s"
                                % (pattern, "\n".join(skipped[-20:])))
            try:
                line = self.readline(left)
            except TestError:
                raise TestError("no line matching %r; got:\n%s"
                                % (pattern, "\n".join(skipped[-20:])))
            if line is None:
                raise TestError("EOF before a line matching %r; got:\n%s"
                                % (pattern, "\n".join(skipped[-20:])))
            m = rx.search(line)
            if m:
                return m
            skipped.append(line)

    def expect_eof(self, timeout=DEFAULT_TIMEOUT):
        """Reads until the server closes; returns the lines read."""
        lines = []
        while True:
            try:
                line = self.readline(timeout)
            except (ConnectionResetError, OSError):
                return lines
            if line is None:
                return lines
            lines.append(line)

    def quiet(self, wait=0.3):
        """Returns the lines that arrive within wait seconds."""
        lines = []
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return lines
            try:
                line = self.readline(left)
            except TestError:
                return lines
            if line is None:
                return lines
            lines.append(line)

    def login(self, prompt=True):
        """Waits for the text-mode welcome; returns the guest nick.  With
        prompt, sends an empty line first so the server greets at once
        rather than after its 500 ms wait."""
        if prompt:
            self.send(b"")
        m = self.expect(r"^\*\*\* welcome .*you are (\S+)")
        nick = m.group(1)
        self.expect(r"^\*\*\* %s joined lobby$" % re.escape(nick))
        return nick

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def unescape(s):
    """Undoes the frame escapes (\\\\ \\s \\n \\r \\t \\xHH)."""
    out = bytearray()
    b = s.encode("utf-8", "surrogateescape") if isinstance(s, str) else s
    i = 0
    while i < len(b):
        c = b[i]
        if c == 0x5c and i + 1 < len(b):
            e = chr(b[i + 1])
            simple = {"\\": b"\\", "s": b" ", "n": b"\n", "r": b"\r",
                      "t": b"\t"}
            if e in simple:
                out += simple[e]
                i += 2
                continue
            if e == "x" and i + 3 < len(b):
                out.append(int(b[i + 2:i + 4], 16))
                i += 4
                continue
        out.append(c)
        i += 1
    return out.decode("utf-8", "replace")


class Frame:
    def __init__(self, line):
        parts = line.split(" ", 6)
        if len(parts) < 7:
            raise TestError("malformed frame: %r" % line)
        self.line = line
        self.kind = parts[0]
        self.ts = int(parts[1])
        self.room = "" if parts[2] == "-" else unescape(parts[2])
        self.nick = "" if parts[3] == "-" else unescape(parts[3])
        self.epoch = int(parts[4])
        self.id = int(parts[5])
        self.text = unescape(parts[6])

    def __repr__(self):
        return "Frame(%r)" % self.line


class FrameClient(Client):
    """A frame-mode client: sends a hello, reads frames."""

    def __init__(self, port, nick=None, room=None, epoch=None, last=None,
                 hello=True, **kw):
        Client.__init__(self, port, **kw)
        if hello:
            h = "CHAT/1"
            for k, v in (("nick", nick), ("room", room), ("epoch", epoch),
                         ("last", last)):
                if v is not None:
                    h += " %s=%s" % (k, v)
            self.send(h)

    def frame(self, timeout=DEFAULT_TIMEOUT):
        line = self.readline(timeout)
        return None if line is None else Frame(line)

    def expect_frame(self, kind, pred=None, timeout=DEFAULT_TIMEOUT):
        """Reads frames until one of kind (and pred) arrives."""
        deadline = time.monotonic() + timeout
        skipped = []
        while True:
            left = deadline - time.monotonic()
            try:
                f = self.frame(max(left, 0))
            except TestError:
                f = None
                left = 0
            if f is None:
                raise TestError("no %s frame; got:\n%s" % (kind, "\n".join(
                    x.line for x in skipped[-20:])))
            if f.kind == kind and (pred is None or pred(f)):
                return f
            skipped.append(f)

    def frames_until(self, kind, timeout=DEFAULT_TIMEOUT):
        """Returns every frame up to and including the first of kind."""
        got = []
        deadline = time.monotonic() + timeout
        while True:
            f = self.frame(max(deadline - time.monotonic(), 0))
            if f is None:
                raise TestError("EOF before %s" % kind)
            got.append(f)
            if f.kind == kind:
                return got


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout("test took too long")


def run_tests(tests, per_test=30):
    """Runs (name, fn) pairs, each bounded by per_test seconds; exits 1
    if any failed."""
    signal.signal(signal.SIGALRM, _alarm)
    only = sys.argv[1:]
    failed = []
    for name, fn in tests:
        if only and name not in only:
            continue
        start = time.monotonic()
        signal.alarm(per_test)
        try:
            fn()
            signal.alarm(0)
            print("ok   %-40s %.2fs" % (name, time.monotonic() - start))
        except BaseException as e:
            signal.alarm(0)
            if isinstance(e, KeyboardInterrupt):
                raise
            failed.append(name)
            print("FAIL %s" % name)
            traceback.print_exc(file=sys.stdout)
        sys.stdout.flush()
    print("%d checked, %d failed%s" % (len(tests) if not only else len(only),
          len(failed), (": " + " ".join(failed)) if failed else ""))
    sys.exit(1 if failed else 0)


def check(cond, what):
    """Fails the test with what unless cond holds."""
    if not cond:
        raise TestError(what)
