#!/usr/bin/python3
"""End-to-end tests of chat-server's tokens (protocol 2): a tagged line is
answered by one ack, after its own msg frame; a token sent again is
answered with the first id and reaches nobody; lines that cannot take a
token are refused with an ack of id 0.  In-memory history: the durable
cases are in test_server_durable.py."""

from chatlib import Server, check, run_tests


def joined(srv, nick, **kw):
    c = srv.frame_client(nick=nick, **kw)
    c.expect_frame("who")
    return c


def test_ack_after_own_msg():
    with Server() as srv:
        a = joined(srv, "alice")
        b = joined(srv, "bob")
        a.expect_frame("join", lambda f: f.nick == "bob")
        a.send("@k.1 hello there")
        m = a.expect_frame("msg")
        check(m.text == "hello there", "the line without its token: %r"
              % m.text)
        ack = a.frame()
        check(ack.kind == "ack" and ack.text == "k.1" and ack.id == m.id
              and ack.epoch == m.epoch and ack.room == "lobby"
              and ack.nick == "alice", "ack right after the msg: %r" % ack)
        got = b.expect_frame("msg")
        check(got.id == m.id and got.text == "hello there", "bob: %r" % got)
        a.send("@k.2 /me waves")
        act = a.expect_frame("act")
        ack = a.frame()
        check(ack.kind == "ack" and ack.id == act.id == m.id + 1,
              "an action is acked too: %r" % ack)
        # Only the sender is acked.
        b.send("/ping p")
        for f in b.frames_until("pong"):
            check(f.kind != "ack", "bob sees no ack: %r" % f)


def test_repeat_not_taken_twice():
    with Server() as srv:
        a = joined(srv, "alice")
        w = joined(srv, "watch")
        a.send("@r.1 once only")
        m = a.expect_frame("msg")
        a.expect_frame("ack")
        w.expect_frame("msg", lambda f: f.id == m.id)
        # The same token again, as after a reconnect under another nick.
        a.close()
        g = joined(srv, "guest77")
        g.send("@r.1 once only")
        g.send("@r.2 then this")
        ack = g.expect_frame("ack")
        check(ack.text == "r.1" and ack.id == m.id and ack.nick == "alice",
              "repeat answered with the first id and nick: %r" % ack)
        nxt = g.expect_frame("msg")
        check(nxt.text == "then this" and nxt.id == m.id + 1,
              "no second copy, ids go on: %r" % nxt)
        got = w.expect_frame("msg", lambda f: f.id > m.id)
        check(got.text == "then this", "watcher sees it once: %r" % got)
        # Within one read too: both copies in one segment.
        g.send_raw(b"@r.3 twice in a row\n@r.3 twice in a row\n")
        m3 = g.expect_frame("msg")
        a1 = g.expect_frame("ack")
        a2 = g.expect_frame("ack")
        check(a1.id == a2.id == m3.id == m.id + 2,
              "two acks of one id: %r %r" % (a1, a2))
        g.send("/ping x")
        for f in g.frames_until("pong"):
            check(f.kind != "msg", "no second copy: %r" % f)


def test_refused_lines_acked_zero():
    with Server() as srv:
        a = joined(srv, "alice")
        a.send("@c.1 /nick bob")
        e = a.expect_frame("error")
        check("token" in e.text, "why: %r" % e.text)
        ack = a.frame()
        check(ack.kind == "ack" and ack.text == "c.1" and ack.id == 0,
              "refused: ack 0: %r" % ack)
        a.send("@c.2 \x1b[2J")
        a.expect_frame("error", lambda f: "control characters" in f.text)
        ack = a.frame()
        check(ack.kind == "ack" and ack.id == 0, "empty: ack 0: %r" % ack)
        a.send("@c.3 /me")
        a.expect_frame("error", lambda f: "usage" in f.text)
        ack = a.frame()
        check(ack.kind == "ack" and ack.id == 0, "/me alone: %r" % ack)
        a.send("@ no token")
        e = a.expect_frame("error")
        check("malformed token" in e.text, "malformed: %r" % e.text)
        a.send("@c.4 still here")
        m = a.expect_frame("msg")
        check(m.text == "still here" and m.id == 1,
              "refused lines took no id: %r" % m)
        a.send("@c.1 /nick bob")
        ack = a.expect_frame("ack", lambda f: f.text == "c.1")
        check(ack.id == 0, "a refused token is not remembered: %r" % ack)


def test_session_takes_nick_back():
    """A hello with the session key of the connection that holds its
    nick replaces that connection, as after a route was lost; another
    key, or none, gets a guest nick."""
    with Server() as srv:
        w = joined(srv, "watch")
        old = joined(srv, "alice", session="k3y")
        w.expect_frame("join", lambda f: f.nick == "alice")
        other = srv.frame_client(nick="alice", session="n0t")
        h = other.expect_frame("hello")
        check(h.nick.startswith("guest"), "another key: a guest: %r" % h)
        plain = srv.frame_client(nick="alice")
        h = plain.expect_frame("hello")
        check(h.nick.startswith("guest"), "no key: a guest: %r" % h)
        bad = srv.client()
        bad.send("CHAT/2 nick=alice session=")
        check(bad.expect_eof()[0].startswith("*** error: malformed hello"),
              "an empty key is malformed")
        new = srv.frame_client(nick="alice", session="k3y")
        h = new.expect_frame("hello")
        check(h.nick == "alice", "the same key: the nick back: %r" % h)
        q = w.expect_frame("quit", lambda f: f.nick == "alice")
        check("replaced" in q.text, "the old one quit: %r" % q.text)
        w.expect_frame("join", lambda f: f.nick == "alice")
        old.expect_eof()
        srv.wait_log(r"nick alice taken back by a new connection")
        new.send("@t.1 still me")
        m = w.expect_frame("msg")
        check(m.nick == "alice" and m.text == "still me", "%r" % m)


def test_reply_after_own_line():
    """A reply to a command comes after what the room was told before
    it, the sender's own line and its ack included, even when both
    arrive in one segment and the line still waits for the store."""
    with Server() as srv:
        a = joined(srv, "alice")
        a.send_raw(b"@o.1 first\n/ping p1\n@o.2 second\n/who\n")
        got = [f.kind for f in a.frames_until("who")]
        check(got == ["msg", "ack", "pong", "msg", "ack", "who"],
              "in the order sent: %r" % got)


def test_text_mode_has_no_tokens():
    with Server() as srv:
        w = joined(srv, "watch")
        t = srv.client()
        t.login()
        t.send("@bob hi")
        m = w.expect_frame("msg")
        check(m.text == "@bob hi", "a text client's @ is text: %r" % m.text)


if __name__ == "__main__":
    run_tests([(n[5:], f) for n, f in sorted(globals().items())
               if n.startswith("test_")])
