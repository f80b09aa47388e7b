#!/usr/bin/python3
"""End-to-end tests of chat-server's listening addresses: IPv6 on ::1,
every local address by default (IPv6 and IPv4 on one port), and a
text client and chat-client --plain chatting across the two families."""

import os
import re
import socket
import subprocess
import time

from chatlib import TestError, check, run_tests, server_path, server_wrapper

TIMEOUT = 10


class Listener:
    """A chat-server started with the given options, port 0."""

    def __init__(self, *args):
        self.proc = subprocess.Popen(
            server_wrapper() + [server_path(), "-p", "0"] + list(args),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        self.lines = []

    def listening(self, count):
        """The first count 'listening on' addresses it logs."""
        deadline = time.monotonic() + TIMEOUT
        found = []
        while len(found) < count and time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.lines.append(line)
            m = re.search(r"listening on (\S+)$", line.strip())
            if m:
                found.append(m.group(1))
        if len(found) < count:
            raise TestError("expected %d listening lines, log: %r"
                            % (count, self.lines))
        return found

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stderr.close()


def connect(family, host, port):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.connect((host, port))
    return s


def read_until(sock, pattern):
    buf = b""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        for line in buf.split(b"\r\n"):
            if re.search(pattern, line.decode("utf-8", "replace")):
                return buf
        chunk = sock.recv(4096)
        if not chunk:
            break
        buf += chunk
    raise TestError("never saw %r in %r" % (pattern, buf))


def test_listen_ipv6_only():
    with Listener("-l", "::1") as srv:
        addrs = srv.listening(1)
        m = re.fullmatch(r"\[::1\]:(\d+)", addrs[0])
        check(m, "logs [::1]:PORT, got %r" % addrs[0])
        port = int(m.group(1))
        check(port != 0, "the real port is logged")
        a = connect(socket.AF_INET6, "::1", port)
        a.sendall(b"/nick alice6\n")
        read_until(a, r"is now known as alice6$")
        try:
            connect(socket.AF_INET, "127.0.0.1", port).close()
        except OSError:
            pass
        else:
            raise TestError("IPv4 connected to a server on ::1 only")
        a.close()


def test_default_listens_on_both():
    with Listener() as srv:
        addrs = srv.listening(2)
        check(any(a.startswith("[::]:") for a in addrs),
              "an IPv6 socket among %r" % addrs)
        check(any(a.startswith("0.0.0.0:") for a in addrs),
              "an IPv4 socket among %r" % addrs)
        ports = {a.rsplit(":", 1)[1] for a in addrs}
        check(len(ports) == 1, "one port for both: %r" % addrs)
        port = int(ports.pop())
        six = connect(socket.AF_INET6, "::1", port)
        six.sendall(b"/nick six\n")
        read_until(six, r"is now known as six$")
        four = connect(socket.AF_INET, "127.0.0.1", port)
        four.sendall(b"/nick four\nhello over v4\n")
        read_until(six, r"^<four> hello over v4$")
        client = os.environ.get("CHAT_CLIENT")
        if client:
            out = subprocess.run(
                [client, "--plain", "-n", "plain6", "-p", str(port), "::1"],
                input="hello from plain\n", capture_output=True,
                text=True, timeout=TIMEOUT)
            check(out.returncode == 0,
                  "chat-client over ::1 exits 0: %r" % out.stderr)
            read_until(four, r"^<plain6> hello from plain$")
        six.close()
        four.close()


if __name__ == "__main__":
    run_tests([
        ("listen_ipv6_only", test_listen_ipv6_only),
        ("default_listens_on_both", test_default_listens_on_both),
    ])
