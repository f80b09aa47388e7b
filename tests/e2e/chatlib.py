"""chatlib: helpers for end-to-end tests of chat-server and chat-client.

Starts the server under test (env CHAT_SERVER) on 127.0.0.1 and port 0,
reads the port from its "listening on 127.0.0.1:PORT" log line, connects
text-mode and frame-mode clients over real sockets, reads lines with
timeouts, and always kills what it started.  Standard library only.

A server used as a context manager is stopped with SIGTERM at the end of
a test that passed, and must then exit 0 with no sanitizer or valgrind
report in its log, so that leak checks at exit count.

Environment: CHAT_SERVER_WRAPPER runs the server under a command (say,
valgrind ...); CHAT_TIMEOUT_SCALE multiplies every wait (default 1), for
slow runs such as valgrind's.
"""

import errno
import os
import re
import resource
import selectors
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback

DEFAULT_TIMEOUT = 5.0
SCALE = float(os.environ.get("CHAT_TIMEOUT_SCALE") or 1)

# What sanitizers and valgrind print when they find something.
_REPORT = re.compile(r"Sanitizer|runtime error:|^==\d+== (?!Warning)\S",
                     re.M)


class TestError(AssertionError):
    pass


def scaled(t):
    """A wait of t seconds, stretched by CHAT_TIMEOUT_SCALE."""
    return t * SCALE


def sanitizer_report(text):
    """True if text (a program's stderr) holds a sanitizer or valgrind
    report."""
    return _REPORT.search(text) is not None


def server_wrapper():
    """The command the server runs under (CHAT_SERVER_WRAPPER), a list."""
    return shlex.split(os.environ.get("CHAT_SERVER_WRAPPER", ""))


def instrumented():
    """Why the server's memory figures mean little (a sanitizer's
    allocator, valgrind), or None for a plain build."""
    if server_wrapper():
        return "runs under %s" % server_wrapper()[0]
    try:
        with open(server_path(), "rb") as f:
            if b"__asan_init" in f.read():
                return "is built with AddressSanitizer"
    except OSError:
        pass
    return None


def proc_rss_kb(pid):
    """The resident set size of process pid, in kB."""
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def proc_fds(pid, below=None):
    """How many descriptors process pid has open (numbered below below,
    if given: valgrind keeps its own past the limit it reports)."""
    fds = os.listdir("/proc/%d/fd" % pid)
    if below is not None:
        fds = [f for f in fds if int(f) < below]
    return len(fds)


def proc_cpu(pid):
    """The CPU time process pid has used (user + system), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raise_nofile(n):
    """Raises this process's descriptor limit to at least n (up to the
    hard limit); returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(max(soft, n), hard) if hard != resource.RLIM_INFINITY \
        else max(soft, n)
    if want != soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


def binary_path(env, relative):
    """The binary named by the environment variable env, or else the one
    built at relative (from the top of the tree)."""
    path = os.environ.get(env)
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "..", relative)
    return os.path.abspath(path)


def server_path():
    return binary_path("CHAT_SERVER", "server/chat-server")


class Server:
    """A chat-server process on a free port; use as a context manager."""

    def __init__(self, *args, stdin=False, timeout=DEFAULT_TIMEOUT,
                 nofile=None, preexec=None):
        """args are chat-server options; nofile, if given, is the
        server's descriptor limit (as ulimit -n would set it); preexec
        runs in the child before the server starts (other limits)."""
        self.args = [server_path(), "-p", "0", "-l", "127.0.0.1"]
        self.args += [str(a) for a in args]
        self.log = []
        self.port = None
        self.clients = []
        self._cond = threading.Condition()
        pre = preexec
        if nofile is not None:
            def pre():
                hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, hard))
                if preexec is not None:
                    preexec()
        self.proc = subprocess.Popen(
            server_wrapper() + self.args,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=pre)
        self.pid = self.proc.pid
        self.out = []
        self._threads = [
            threading.Thread(target=self._drain, args=(self.proc.stderr,
                             self.log), daemon=True),
            threading.Thread(target=self._drain, args=(self.proc.stdout,
                             self.out), daemon=True)]
        for t in self._threads:
            t.start()
        try:
            line = self.wait_log(r"listening on 127\.0\.0\.1:(\d+)",
                                 timeout)
        except BaseException:
            self.kill()
            raise
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
        timeout = scaled(timeout)
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
        return self.proc.wait(scaled(timeout))

    def count_log(self, pattern):
        """How many stderr lines so far match pattern."""
        rx = re.compile(pattern)
        with self._cond:
            return sum(1 for l in self.log if rx.search(l))

    def rss_kb(self):
        return proc_rss_kb(self.pid)

    def fds(self, below=None):
        return proc_fds(self.pid, below)

    def cpu(self):
        return proc_cpu(self.pid)

    def stop(self, timeout=10):
        """Closes the clients made by client() and frame_client(), stops
        the server with SIGTERM and returns its exit status; fails if it
        does not exit in time."""
        for c in self.clients:
            c.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(scaled(timeout))
        except subprocess.TimeoutExpired:
            self.kill()
            raise TestError("server still running %ss after SIGTERM"
                            % timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        # Let the readers take the last of the log before closing.
        for t in getattr(self, "_threads", []):
            t.join(2)
        for fp in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if fp is not None:
                try:
                    fp.close()
                except OSError:
                    pass

    def client(self, **kw):
        c = Client(self.port, **kw)
        self.clients.append(c)
        return c

    def frame_client(self, **kw):
        c = FrameClient(self.port, **kw)
        self.clients.append(c)
        return c

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is not None:
            self.kill()
            self.check_sanitizer()
            return False
        try:
            rc = self.stop()
        finally:
            self.kill()
        self.check_sanitizer()
        if rc != 0:
            raise TestError("server exit status %d after SIGTERM; log:\n%s"
                            % (rc, "\n".join(self.log[-40:])))
        return False

    def check_sanitizer(self):
        """Fails if the server's log holds a sanitizer or valgrind
        report."""
        with self._cond:
            text = "\n".join(self.log)
        if sanitizer_report(text):
            raise TestError("sanitizer report from the server:\n%s"
                            % "\n".join(self.log[-60:]))


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
        deadline = time.monotonic() + scaled(timeout)
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
        deadline = time.monotonic() + scaled(timeout)
        skipped = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestError("no line matching %r; got:\n%s"
                                % (pattern, "\n".join(skipped[-20:])))
            try:
                line = self.readline(left / SCALE)
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
                line = self.readline(left / SCALE)
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
                 hello=True, version=2, session=None, **kw):
        Client.__init__(self, port, **kw)
        if hello:
            h = "CHAT/%d" % version
            for k, v in (("nick", nick), ("room", room), ("epoch", epoch),
                         ("last", last), ("session", session)):
                if v is not None:
                    h += " %s=%s" % (k, v)
            self.send(h)

    def frame(self, timeout=DEFAULT_TIMEOUT):
        line = self.readline(timeout)
        return None if line is None else Frame(line)

    def expect_frame(self, kind, pred=None, timeout=DEFAULT_TIMEOUT):
        """Reads frames until one of kind (and pred) arrives."""
        deadline = time.monotonic() + scaled(timeout)
        skipped = []
        while True:
            left = deadline - time.monotonic()
            try:
                f = self.frame(max(left, 0) / SCALE)
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
        deadline = time.monotonic() + scaled(timeout)
        while True:
            f = self.frame(max(deadline - time.monotonic(), 0) / SCALE)
            if f is None:
                raise TestError("EOF before %s" % kind)
            got.append(f)
            if f.kind == kind:
                return got


class Crowd:
    """Many text-mode connections driven by one selector (epoll) with
    non-blocking sockets, for storms and load.  Each connection keeps its
    lines (without CRLF, as bytes) unless on_line(i, line) is given, and
    whether the server closed it."""

    def __init__(self, port, n, on_line=None, rcvbuf=None):
        self.sel = selectors.DefaultSelector()
        self.on_line = on_line
        self.socks = []
        self.bufs = []
        self.outs = []
        self.lines = []
        self.eof = []
        self.nlines = []
        for i in range(n):
            self.add(port, rcvbuf)

    def add(self, port, rcvbuf=None):
        """Opens one more connection; returns its index."""
        i = len(self.socks)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.setblocking(False)
        rc = s.connect_ex(("127.0.0.1", port))
        if rc not in (0, errno.EINPROGRESS):
            s.close()
            raise TestError("connect: %s" % os.strerror(rc))
        self.socks.append(s)
        self.bufs.append(b"")
        self.outs.append(b"")
        self.lines.append([])
        self.eof.append(False)
        self.nlines.append(0)
        self.sel.register(s, selectors.EVENT_READ, i)
        return i

    def __len__(self):
        return len(self.socks)

    def send(self, i, data):
        """Sends data on connection i (a str gets a LF); what the socket
        cannot take yet is sent as it drains."""
        if isinstance(data, str):
            data = data.encode() + b"\n"
        self.outs[i] += data
        self._write(i)

    def _write(self, i):
        s = self.socks[i]
        while self.outs[i]:
            try:
                n = s.send(self.outs[i])
            except BlockingIOError:
                break
            except OSError:
                self.outs[i] = b""
                break
            self.outs[i] = self.outs[i][n:]
        self._watch(i)

    def _watch(self, i):
        if self.eof[i]:
            return
        ev = selectors.EVENT_READ
        if self.outs[i]:
            ev |= selectors.EVENT_WRITE
        self.sel.modify(self.socks[i], ev, i)

    def _read(self, i):
        s = self.socks[i]
        try:
            data = s.recv(262144)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.eof[i] = True
            self.sel.unregister(s)
            return
        buf = self.bufs[i] + data
        parts = buf.split(b"\n")
        self.bufs[i] = parts.pop()
        self.nlines[i] += len(parts)
        for line in parts:
            if line.endswith(b"\r"):
                line = line[:-1]
            if self.on_line is not None:
                self.on_line(i, line)
            else:
                self.lines[i].append(line)

    def pump(self, until=None, timeout=DEFAULT_TIMEOUT, what="the crowd"):
        """Reads whatever arrives until until() holds (or, without until,
        for timeout seconds); raises TestError on timeout."""
        deadline = time.monotonic() + (scaled(timeout) if until else timeout)
        while True:
            if until is not None and until():
                return
            left = deadline - time.monotonic()
            if left <= 0:
                if until is None:
                    return
                raise TestError("timed out waiting for %s" % what)
            if not self.sel.get_map():
                if until is None:
                    return
                raise TestError("every connection closed; waiting for %s"
                                % what)
            for key, ev in self.sel.select(min(left, 0.2)):
                if ev & selectors.EVENT_WRITE:
                    self._write(key.data)
                if ev & selectors.EVENT_READ and not self.eof[key.data]:
                    self._read(key.data)

    def close(self, i, reset=False):
        """Closes connection i; with reset, with a RST (SO_LINGER 0)."""
        s = self.socks[i]
        if s.fileno() < 0:
            return
        if not self.eof[i]:
            self.sel.unregister(s)
            self.eof[i] = True
        if reset:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()

    def close_all(self):
        for i in range(len(self.socks)):
            self.close(i)
        self.sel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close_all()
        return False


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
        signal.alarm(int(per_test * SCALE))
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
