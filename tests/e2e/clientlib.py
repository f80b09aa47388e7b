"""clientlib: helpers for end-to-end tests of chat-client.

Runs chat-client (env CHAT_CLIENT) inside a private tmux server
(tmux -L NAME -f /dev/null), types with send-keys, reads the screen with
capture-pane, and always kills the tmux server.  Every wait is bounded.
Servers come from chatlib.  Standard library only.

The client's stderr goes to a file, shown in the pane once it exits; at
the end of a test that passed, a client still running is stopped with
SIGTERM, and a sanitizer report in that file fails the test.
"""

import os
import re
import select
import shlex
import signal
import socket
import subprocess
import tempfile
import threading
import time

from chatlib import TestError, binary_path, sanitizer_report, scaled

DEFAULT_TIMEOUT = 5.0
_count = 0


def client_path():
    return binary_path("CHAT_CLIENT", "client/chat-client")


def free_port():
    """A port on 127.0.0.1 that nothing listens on (just now)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(pred, timeout=DEFAULT_TIMEOUT, what="condition", last=None):
    """Polls pred() until true; raises TestError naming what."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            extra = ("\n--- last state:\n%s" % last()) if last else ""
            raise TestError("timed out waiting for %s%s" % (what, extra))
        time.sleep(0.05)


_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def attrs_at(screen, text):
    """Replays the SGR sequences of a capture-pane -e screen; returns the
    attributes of the first character of text, None if it is not there."""
    state = {}
    segs = []           # (offset in the plain text, attributes from there)
    plain = ""
    pos = 0
    for m in list(_SGR.finditer(screen)) + [None]:
        end = m.start() if m else len(screen)
        segs.append((len(plain), dict(state)))
        plain += screen[pos:end]
        if m is None:
            break
        pos = m.end()
        ps = [int(p) if p else 0 for p in m.group(1).split(";")]
        i = 0
        while i < len(ps):
            p = ps[i]
            if p == 0:
                state = {}
            elif p in (1, 2, 7):
                state[{1: "bold", 2: "dim", 7: "reverse"}[p]] = True
            elif p == 22:
                state.pop("bold", None)
                state.pop("dim", None)
            elif p == 27:
                state.pop("reverse", None)
            elif 30 <= p <= 37 or 90 <= p <= 97:
                state["fg"] = p - 30 if p < 90 else p - 82
            elif p == 39:
                state.pop("fg", None)
            elif p in (38, 48) and i + 2 < len(ps) and ps[i + 1] == 5:
                if p == 38:
                    state["fg"] = ps[i + 2]
                i += 2
            i += 1
    at = plain.find(text)
    if at < 0:
        return None
    st = [st for off, st in segs if off <= at][-1]
    out = {k for k in st if k != "fg"}
    if "fg" in st:
        out.add("fg=%d" % st["fg"])
    return out


class Tmux:
    """chat-client in a pane of its own tmux server; a context manager.

    The client runs under sh, which afterwards prints its exit status
    and the terminal's modes ("EXIT:N" and "TTY: icanon echo ...") and
    keeps the pane open, so tests can look at the terminal it left.
    """

    def __init__(self, args, width=120, height=40, term="xterm-256color"):
        global _count
        _count += 1
        self.name = "cc-test-%d-%d" % (os.getpid(), _count)
        fd, self.errfile = tempfile.mkstemp(prefix="chat-client-err.")
        os.close(fd)
        err = shlex.quote(self.errfile)
        cmd = " ".join(shlex.quote(a) for a in [client_path()] + args)
        script = ("%s 2>%s; st=$?; cat %s; echo \"EXIT:$st\"; "
                  "echo \"TTY: $(stty -a | tr ' ;' '\\n\\n' | "
                  "grep -E '^-?(icanon|echo|icrnl|opost)$' | "
                  "tr '\\n' ' ')\"; exec sleep 300" % (cmd, err, err))
        self.tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                  "env", "TERM=" + term, "LANG=C.UTF-8",
                  "LC_ALL=C.UTF-8", "sh", "-c", script)

    def tmux(self, *args, check=True):
        r = subprocess.run(["tmux", "-L", self.name, "-f", "/dev/null"] +
                           list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=10)
        if check and r.returncode != 0:
            raise TestError("tmux %s: %s" % (" ".join(args),
                            r.stderr.decode(errors="replace")))
        return r.stdout.decode("utf-8", "replace")

    def keys(self, *keys):
        """Sends tmux key names (Enter, PPage, C-u ...)."""
        self.tmux("send-keys", "-t", self.name, *keys)

    def type(self, text):
        """Types text literally."""
        self.tmux("send-keys", "-t", self.name, "-l", text)

    def line(self, text):
        self.type(text)
        self.keys("Enter")

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def screen_attrs(self):
        """The screen with its SGR escape sequences."""
        return self.tmux("capture-pane", "-p", "-e", "-t", self.name)

    def attrs_at(self, text):
        """The attributes where text first shows on the screen: a set
        holding "bold", "dim", "reverse", and "fg=N" (0-255) for a
        colour other than the default."""
        return attrs_at(self.screen_attrs(), text)

    def rows(self):
        return self.screen().split("\n")

    def fmt(self, f):
        return self.tmux("display-message", "-p", "-t", self.name,
                         f).strip()

    def wait(self, pattern, timeout=DEFAULT_TIMEOUT):
        """Waits for the regex on the screen; returns the match."""
        rx = re.compile(pattern, re.M)
        return wait_until(lambda: rx.search(self.screen()), timeout,
                          "%r on the screen" % pattern, self.screen)

    def wait_gone(self, pattern, timeout=DEFAULT_TIMEOUT):
        rx = re.compile(pattern, re.M)
        wait_until(lambda: not rx.search(self.screen()), timeout,
                   "%r to leave the screen" % pattern, self.screen)

    def status(self):
        """The status line: the row above the input line."""
        rows = self.rows()
        while rows and rows[-1] == "":
            rows.pop()
        for r in reversed(rows):
            if r.startswith(" [") and "] [" in r:
                return r
        return ""

    def resize(self, width, height):
        self.tmux("resize-window", "-t", self.name, "-x", str(width),
                  "-y", str(height))

    def _child(self):
        """The chat-client process now, or None if it is not running."""
        try:
            sh = int(self.fmt("#{pane_pid}"))
            with open("/proc/%d/task/%d/children" % (sh, sh)) as f:
                kids = f.read().split()
        except (OSError, ValueError, TestError, subprocess.SubprocessError):
            return None
        for k in kids:
            try:
                with open("/proc/%s/cmdline" % k, "rb") as f:
                    if b"chat-client" in f.read():
                        return int(k)
            except OSError:
                pass
        return None

    def client_pid(self):
        """The chat-client process: the child of the pane's sh."""
        return wait_until(self._child, what="the chat-client process")

    def stderr(self):
        """What the client has written on its stderr so far."""
        try:
            with open(self.errfile, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self, timeout=DEFAULT_TIMEOUT):
        """Ends a client still running with SIGTERM (after SIGCONT, in
        case a test stopped it) and waits for it to go."""
        pid = self._child()
        if pid is None:
            return
        for sig in (signal.SIGCONT, signal.SIGTERM):
            try:
                os.kill(pid, sig)
            except OSError:
                return
        wait_until(lambda: not os.path.exists("/proc/%d/cmdline" % pid) or
                   self._child() != pid, timeout, "chat-client to exit")

    def exit_status(self, timeout=DEFAULT_TIMEOUT):
        """Waits for the client to exit; returns its status."""
        m = self.wait(r"^EXIT:(\d+)", timeout)
        return int(m.group(1))

    def kill(self):
        self.tmux("kill-server", check=False)
        try:
            os.unlink(self.errfile)
        except OSError:
            pass

    def check_sanitizer(self):
        """Fails if the client's stderr holds a sanitizer report."""
        err = self.stderr()
        if sanitizer_report(err):
            raise TestError("sanitizer report from chat-client:\n%s"
                            % err[-6000:])

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        try:
            if exc_type is None:
                self.stop()
                self.check_sanitizer()
            elif sanitizer_report(self.stderr()):
                print("chat-client stderr:\n%s" % self.stderr()[-6000:])
        finally:
            self.kill()
        return False


def run_plain(args, stdin_data, timeout=DEFAULT_TIMEOUT):
    """Runs chat-client with stdin and stdout as pipes; returns
    (status, stdout, stderr) as bytes."""
    p = subprocess.Popen([client_path()] + args, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(stdin_data, timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        raise TestError("chat-client did not exit within %ss; stdout:\n%s"
                        "\nstderr:\n%s" % (timeout, out.decode(errors="replace"),
                                           err.decode(errors="replace")))
    if sanitizer_report(err.decode(errors="replace")):
        raise TestError("sanitizer report from chat-client:\n%s"
                        % err.decode(errors="replace")[-6000:])
    return p.returncode, out, err


class FakeServer:
    """A hostile server: answers the hello with the given lines, then
    closes once the client has half-closed.  An item of lines that is
    callable is called instead of sent (to wait for a test's go, say)."""

    def __init__(self, lines):
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.lsock.settimeout(10)
        self.port = self.lsock.getsockname()[1]
        self.lines = lines
        self.hello = None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            c, _ = self.lsock.accept()
        except OSError:
            return
        c.settimeout(10)
        try:
            buf = b""
            while b"\n" not in buf:
                data = c.recv(4096)
                if not data:
                    return
                buf += data
            self.hello = buf.split(b"\n")[0]
            for l in self.lines:
                if callable(l):
                    l()
                else:
                    c.sendall(l)
            while c.recv(4096):
                pass
        except OSError:
            pass
        finally:
            c.close()

    def close(self):
        self.lsock.close()
        self.thread.join(5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class FakeConn:
    """One connection a ScriptedServer accepted: the client's lines in,
    whatever the script sends out."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def line(self, timeout=DEFAULT_TIMEOUT):
        """The client's next line without its LF, or None at its EOF
        (a half-close); TestError if neither comes in time."""
        deadline = time.monotonic() + scaled(timeout)
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestError("no line from the client in %ss; have %r"
                                % (timeout, self.buf))
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            data = self.sock.recv(65536)
            if not data:
                if self.buf:
                    raise TestError("EOF inside a line: %r" % self.buf)
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def quiet(self, secs):
        """True if for secs the client sends nothing and does not
        half-close."""
        if self.buf:
            return False
        r, _, _ = select.select([self.sock], [], [], scaled(secs))
        return not r

    def send(self, data):
        self.sock.sendall(data)


class ScriptedServer:
    """A fake server for the client's reconnects: it accepts one
    connection per script, in turn, and runs the script (called with a
    FakeConn) in a thread, then closes that connection.  An exception in
    a script stops the server and is raised again by close(), which also
    waits for the scripts to end."""

    def __init__(self, scripts, timeout=20.0):
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.lsock.settimeout(scaled(10))
        self.port = self.lsock.getsockname()[1]
        self.scripts = list(scripts)
        self.timeout = timeout
        self.error = None
        self.served = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        for script in self.scripts:
            try:
                c, _ = self.lsock.accept()
            except OSError as e:
                self.error = self.error or TestError(
                    "no connection %d: %s" % (self.served + 1, e))
                return
            try:
                script(FakeConn(c))
                self.served += 1
            except Exception as e:         # for close() to raise
                self.error = e
                return
            finally:
                c.close()

    def close(self):
        self.thread.join(scaled(self.timeout))
        self.lsock.close()
        if self.error is not None:
            raise self.error
        if self.thread.is_alive():
            raise TestError("the scripts did not end in %ss" % self.timeout)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.close()
        else:
            self.lsock.close()
        return False
