"""The broker protocol (docs/protocol.md): one DEALER with a session, background heartbeats, replay.

Threads: the DEALER is used under one lock by the caller's threads and the heartbeat thread (a pyzmq
socket must never be used by two threads at once; a lock is the fewest moving parts). Replies are
matched by id; a stale reply (its caller timed out) is dropped.
"""
import itertools
import json
import os
import sys
import threading
import time

import zmq

from . import errors
from .keys import check_key

WILDCARDS = ("*", "0.0.0.0", "[::]", "::")
BACKOFF_START = 0.2
BACKOFF_MAX = 2.0


def events_endpoint(request_endpoint, announced):
    """The events endpoint to connect to: a wildcard host becomes the request endpoint's host (section 1)."""
    host = announced.split("//", 1)[1].rsplit(":", 1)[0]
    if host in WILDCARDS:
        return request_endpoint.rsplit(":", 1)[0] + ":" + announced.rsplit(":", 1)[1]
    return announced


class Broker:
    """A session with the broker. Made by labhub.Client; usable alone."""

    def __init__(self, context, endpoint, broker_key, keys, request_timeout=2.0, admission_timeout=None,
                 out=None):
        self.context = context
        self.endpoint = endpoint
        self.broker_key = check_key(broker_key, "broker key")
        self.keys = keys
        self.request_timeout = request_timeout
        self.session = os.urandom(16).hex()
        self.out = out if out is not None else sys.stderr
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._socket = None
        self._offers = {}        # name -> register fields, replayed when a session opens
        self._attached = set()   # names attached, replayed too
        self._closed = threading.Event()
        self.hello_reply = None
        self.heartbeat_interval = 0.5
        self.sessions_opened = 0
        self._open()
        self._admit(admission_timeout)
        self._beater = threading.Thread(target=self._beat, name="labhub-heartbeat", daemon=True)
        self._beater.start()

    # ---- socket and session ----

    def _open(self):
        if self._socket is not None:
            self._socket.close(0)
        s = self.context.socket(zmq.DEALER)
        self.keys.apply(s, self.broker_key)
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.IMMEDIATE, 1)
        s.setsockopt(zmq.HANDSHAKE_IVL, 2000)
        s.connect(self.endpoint)
        self._socket = s
        self._needs_hello = True   # a new connection must say hello (with our session) before anything else

    def _admit(self, timeout):
        """hello until answered: a refused CURVE handshake is never retried by libzmq, so each attempt
        opens a new DEALER (200 ms doubling to 2 s between attempts, as the Java client)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        backoff = BACKOFF_START
        told = False
        while True:
            try:
                self._hello()
                if told:
                    print("labhub: admitted by the broker at %s" % self.endpoint, file=self.out, flush=True)
                return
            except errors.Timeout:
                pass
            except errors.KeyInUse:
                # another process holds this key (or our own predecessor, killed, until the broker declares it lost)
                if not told:
                    print("labhub: the broker says key %s is in use (KEY_IN_USE: another process, or a previous run"
                          " until the broker notices it is gone); retrying" % self.keys.public, file=self.out, flush=True)
                    told = True
            if not told:
                print("labhub: the broker at %s does not answer this client (key %s). If its key is not allowed"
                      " yet, type this in the broker runtime's console:\n%s"
                      % (self.endpoint, self.keys.public, self.keys.allow_line()), file=self.out, flush=True)
                told = True
            if deadline is not None and time.monotonic() + backoff > deadline:
                self.close()
                raise errors.BrokerUnavailable("the broker at %s did not admit key %s within %.1f s; on its runtime: %s"
                                               % (self.endpoint, self.keys.public, timeout, self.keys.allow_line()))
            if self._closed.wait(backoff):
                raise errors.ChannelClosed("closed while waiting for admission")
            backoff = min(BACKOFF_MAX, backoff * 2)
            with self._lock:
                self._open()

    def _hello(self):
        with self._lock:
            reply = self._call("hello", {"session": self.session}, self.request_timeout)
            self._needs_hello = False
            self.hello_reply = reply
            self.heartbeat_interval = reply.get("heartbeatIntervalMs", 500) / 1000.0
            self.sessions_opened += 1
            self._replay()
            return reply

    def _replay(self):
        for name, offer in list(self._offers.items()):
            try:
                self._call("register", dict(offer), self.request_timeout)
            except (errors.ChannelExists, errors.ChannelReserved, errors.QuotaExceeded) as e:
                print("labhub: re-registering %s refused: %s" % (name, e), file=self.out, flush=True)
        for name in list(self._attached):
            try:
                self._call("attach", {"name": name}, self.request_timeout)
            except errors.ChannelNotFound:
                pass   # its producer has not re-registered yet: the next beats retry

    def _call(self, type_, fields, timeout):
        """One request and its reply (lock held). Raises the typed error of an error reply."""
        if type_ != "hello" and self._needs_hello:
            self._hello()
        msg = {"v": 1, "id": str(next(self._ids)), "type": type_}
        msg.update(fields)
        s = self._socket
        try:
            s.send(json.dumps(msg).encode("utf-8"), zmq.DONTWAIT)
        except zmq.Again:
            # IMMEDIATE: no completed connection (broker down, or our key refused)
            self._await_connection(s, timeout)
            try:
                s.send(json.dumps(msg).encode("utf-8"), zmq.DONTWAIT)
            except zmq.Again:
                raise errors.Timeout("no connection to the broker at %s" % self.endpoint)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not s.poll(int(left * 1000) + 1):
                if time.monotonic() >= deadline:
                    raise errors.Timeout("the broker at %s did not answer %s within %.1f s" % (self.endpoint, type_, timeout))
                continue
            reply = json.loads(s.recv())
            if reply.get("id") != msg["id"]:
                continue   # a late reply to a request that timed out
            if reply.get("status") == "error":
                raise errors.from_code(reply.get("code"), reply.get("message", ""), rule=reply.get("rule"), reply=reply)
            return reply

    def _await_connection(self, s, timeout):
        deadline = time.monotonic() + min(timeout, 1.0)
        while time.monotonic() < deadline:
            if s.poll(20, zmq.POLLOUT):
                return

    def request(self, type_, timeout=None, **fields):
        """A broker request; after UNKNOWN_CLIENT (broker restarted) opens the session again and retries once."""
        timeout = self.request_timeout if timeout is None else timeout
        with self._lock:
            if self._closed.is_set():
                raise errors.ChannelClosed("the broker client is closed")
            try:
                return self._call(type_, fields, timeout)
            except (errors.UnknownClient, errors.KeyInUse):
                self._hello()
                return self._call(type_, fields, timeout)
            except errors.Timeout:
                self._open()   # a dead or refused connection is never retried by libzmq itself
                raise

    def _beat(self):
        backoff = BACKOFF_START
        beats = 0
        while not self._closed.wait(self.heartbeat_interval):
            try:
                with self._lock:
                    if self._closed.is_set():
                        return
                    reply = self._call("heartbeat", {}, max(self.request_timeout, 3 * self.heartbeat_interval))
                    beats += 1
                    if reply.get("attachments", 0) < len(self._attached) and beats % 2 == 0:
                        self._replay()
                backoff = BACKOFF_START
            except errors.UnknownClient:
                self._safe_hello()
            except errors.KeyInUse:
                self._safe_hello()
            except errors.Timeout:
                with self._lock:
                    if self._closed.is_set():
                        return
                    self._open()
                if self._closed.wait(backoff):
                    return
                backoff = min(BACKOFF_MAX, backoff * 2)
                self._safe_hello()
            except Exception as e:   # the heartbeat thread never dies
                print("labhub: heartbeat failed: %r" % e, file=self.out, flush=True)

    def _safe_hello(self):
        try:
            with self._lock:
                if not self._closed.is_set():
                    self._hello()
        except errors.LabHubError:
            pass

    # ---- what the client uses ----

    def register(self, name, kind, endpoint, server_key=None, metadata=None, schema=None):
        offer = {"name": name, "kind": kind, "endpoint": endpoint, "metadata": metadata or {}}
        if server_key is not None:
            offer["serverKey"] = server_key
        if schema is not None:
            offer["schema"] = schema
        reply = self.request("register", **offer)
        with self._lock:
            self._offers[name] = offer
        return reply["channel"]

    def unregister(self, name):
        with self._lock:
            self._offers.pop(name, None)
        try:
            return self.request("unregister", name=name).get("channel")
        except (errors.ChannelNotFound, errors.Timeout, errors.ChannelClosed):
            return None

    def discover(self, name):
        return self.request("discover", name=name)["channel"]

    def attach(self, name):
        reply = self.request("attach", name=name)
        with self._lock:
            self._attached.add(name)
        return reply["channel"]

    def detach(self, name):
        with self._lock:
            self._attached.discard(name)
        try:
            self.request("detach", name=name)
        except (errors.ChannelNotFound, errors.Timeout, errors.ChannelClosed):
            pass

    def list(self):
        out, after = [], None
        for _ in range(1000):
            fields = {"limit": 1000}
            if after is not None:
                fields["after"] = after
            reply = self.request("list", **fields)
            out.extend(reply.get("channels", []))
            after = reply.get("next")
            if after is None:
                break
        return out

    def events_endpoint(self):
        announced = (self.hello_reply or {}).get("eventsEndpoint")
        if not announced:
            raise errors.BrokerUnavailable("the broker announced no events endpoint")
        return events_endpoint(self.endpoint, announced)

    def close(self):
        """Stops heartbeating and closes the DEALER; channels still registered are unregistered first."""
        if self._closed.is_set():
            return
        for name in list(self._offers):
            try:
                self.unregister(name)
            except errors.LabHubError:
                pass
        self._closed.set()
        if threading.current_thread() is not getattr(self, "_beater", None) and getattr(self, "_beater", None):
            self._beater.join(5)
        with self._lock:
            if self._socket is not None:
                self._socket.close(0)
                self._socket = None


class Event:
    """A broker event: type (channel_registered, channel_closed, producer_lost), channel (dict), id."""

    __slots__ = ("type", "channel", "id", "body")

    def __init__(self, body):
        self.body = body
        self.type = body.get("type")
        self.channel = body.get("channel") or {}
        self.id = body.get("id")

    @property
    def name(self):
        return self.channel.get("name")

    def __repr__(self):
        return "Event(%s %s #%s)" % (self.name, self.type, self.id)


class Events:
    """The broker's events (SUB, CURVE), for every channel or one name. Iterate, or call next(timeout)."""

    def __init__(self, broker, name=None):
        self._sub = broker.context.socket(zmq.SUB)
        broker.keys.apply(self._sub, broker.broker_key)
        self._sub.setsockopt(zmq.LINGER, 0)
        self._sub.setsockopt(zmq.HANDSHAKE_IVL, 2000)
        self._sub.setsockopt(zmq.SUBSCRIBE, b"" if name is None else (name + " ").encode("ascii"))
        self._sub.connect(broker.events_endpoint())

    def next(self, timeout=None):
        """The next event; Timeout when none came within timeout seconds (None: wait for ever)."""
        if self._sub is None:
            raise errors.ChannelClosed("events closed")
        if not self._sub.poll(None if timeout is None else int(timeout * 1000)):
            raise errors.Timeout("no broker event within %.1f s" % timeout)
        frames = self._sub.recv_multipart()
        return Event(json.loads(frames[-1]))

    def __iter__(self):
        while self._sub is not None:
            yield self.next()

    def close(self):
        if self._sub is not None:
            self._sub.close(0)
            self._sub = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
