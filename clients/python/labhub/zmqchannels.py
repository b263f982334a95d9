"""pubsub and reqrep channels on the wire (docs/zmq-channels.md, wire format version 2)."""
import json
import os
import struct
import threading
import time

import zmq

from . import errors
from .schema import Schema

HEADER = struct.Struct(">BBHIqqq")   # version, type, headerLength, timeoutMillis, id, timestampNanos, param
WIRE_VERSION = 2
PUBLISH, REQUEST, REPLY_OK, REPLY_ERROR, PING, PONG = 1, 2, 3, 4, 5, 6
DEFAULT_MAX = 16 * 1024 * 1024


def header(type_, id_, timeout_ms=0, param=0):
    return HEADER.pack(WIRE_VERSION, type_, HEADER.size, timeout_ms, id_, time.time_ns(), param)


def parse(frame):
    """(type, timeoutMillis, id, timestampNanos, param, payload memoryview) or None for a refused frame."""
    if len(frame) < HEADER.size:
        return None
    version, type_, hlen, timeout, id_, ts, param = HEADER.unpack_from(frame)
    if version != WIRE_VERSION or hlen < HEADER.size or hlen > len(frame):
        return None
    return type_, timeout, id_, ts, param, memoryview(frame)[hlen:]


def check_wire_version(channel):
    v = (channel.get("metadata") or {}).get("zmq.wireVersion")
    if v is not None and str(v) != str(WIRE_VERSION):
        raise errors.UnsupportedVersion("channel %s speaks wire version %s, this client %d" % (channel["name"], v, WIRE_VERSION))


def channel_schema(channel):
    return Schema.of(channel.get("schema")) if channel.get("schema") else None


class Message:
    """A received pubsub message: seq, timestamp_ns, skipped (gap before it), payload (bytes), record (decoded
    by the channel's schema, or None)."""

    __slots__ = ("seq", "timestamp_ns", "skipped", "payload", "record")

    def __init__(self, seq, ts, skipped, payload, record):
        self.seq, self.timestamp_ns, self.skipped, self.payload, self.record = seq, ts, skipped, payload, record

    def json(self):
        return json.loads(bytes(self.payload))

    def __repr__(self):
        return "Message(seq=%d, skipped=%d, %d bytes)" % (self.seq, self.skipped, len(self.payload))


class Subscription:
    """subscribe(name): a SUB to the channel's publisher, with gap accounting (section 3)."""

    def __init__(self, client, name, hwm=1000):
        self.client = client
        self.name = name
        ch = client.broker.discover(name)
        if ch["kind"] != "pubsub":
            raise errors.InvalidArgument("%s is a %s channel, not pubsub" % (name, ch["kind"]), rule="channel.kind")
        check_wire_version(ch)
        self.channel = ch
        self.schema = channel_schema(ch)
        self.gaps = self.errors = self.received = self.reconnects = 0
        self._session = self._last = None
        self._sub = None
        self._connect(ch, hwm)

    def _connect(self, ch, hwm=1000):
        if self._sub is not None:
            self._sub.close(0)
        s = self.client.context.socket(zmq.SUB)
        self.client.keys.apply(s, ch["serverKey"])
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.RCVHWM, hwm)
        s.setsockopt(zmq.SUBSCRIBE, b"")
        s.connect(ch["endpoint"])
        self._sub = s
        self.endpoint = ch["endpoint"]
        self._opened = time.monotonic()
        self._heard = False     # a message on this socket yet

    def recv(self, timeout=None):
        """The next message; Timeout after timeout seconds. Malformed messages and messages that do not fit
        the schema are counted in errors and skipped."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._sub is None:
                raise errors.ChannelClosed("subscription to %s is closed" % self.name)
            left = None if deadline is None else max(0, deadline - time.monotonic())
            wait = 1000 if left is None else min(1000, int(left * 1000))
            if not self._sub.poll(wait):
                if deadline is not None and time.monotonic() >= deadline:
                    raise errors.Timeout("no message on %s within %.1f s" % (self.name, timeout))
                self._follow()
                continue
            frame = self._sub.recv(copy=False).buffer
            self._heard = True
            p = parse(frame)
            if p is None or p[0] != PUBLISH:
                self.errors += 1
                continue
            _, _, seq, ts, session, payload = p
            record = None
            if self.schema is not None:
                try:
                    record = self.schema.decode(payload)
                except errors.InvalidArgument:
                    self.errors += 1
                    continue
            if self._session is None:
                skipped = 0
            elif session != self._session:
                skipped = seq - 1
                self.reconnects += 1
            else:
                skipped = max(0, seq - self._last - 1)
            self._session, self._last = session, seq
            self.gaps += skipped
            self.received += 1
            return Message(seq, ts, skipped, payload, record)

    def _follow(self):
        """A publisher that re-registered elsewhere (restarted) is followed: asked of the broker when idle. A
        socket that never heard anything for 2 s is made anew: ZeroMQ never retries a handshake the publisher
        refused (our key not allowed yet there), so a key allowed later gets in this way."""
        try:
            ch = self.client.broker.discover(self.name)
        except errors.LabHubError:
            return
        silent = not self._heard and time.monotonic() - self._opened > 2.0
        if silent or ch.get("endpoint") != self.endpoint or ch.get("serverKey") != self.channel.get("serverKey"):
            self.channel = ch
            self.schema = channel_schema(ch)
            self._connect(ch)

    def __iter__(self):
        while self._sub is not None:
            yield self.recv()

    def close(self):
        if self._sub is not None:
            self._sub.close(0)
            self._sub = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Bound:
    """A CURVE-server socket bound on a free port and registered with the broker."""

    def _bind(self, client, name, kind, sock_type, host, metadata, schema, max_message_size):
        self.client, self.name = client, name
        self.schema = Schema.of(schema)
        self.max_message_size = max_message_size
        s = client.context.socket(sock_type)
        client.keys.serve(s)
        s.setsockopt(zmq.ZAP_DOMAIN, b"labhub")   # asked of the client's ZAP handler when it has one
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.MAXMSGSIZE, max_message_size + 256)
        s.bind("tcp://%s:0" % host)
        self.endpoint = s.getsockopt_string(zmq.LAST_ENDPOINT)
        self._sock = s
        meta = dict(metadata or {})
        meta.update({"zmq.wireVersion": str(WIRE_VERSION), "zmq.maxMessageSize": str(max_message_size)})
        try:
            self.channel = client.broker.register(name, kind, self.endpoint, client.keys.public, meta,
                                                  self.schema.json if self.schema else None)
        except Exception:
            s.close(0)
            raise

    def _payload(self, payload, schema):
        if isinstance(payload, dict):
            if schema is None:
                raise errors.InvalidArgument("a dict payload needs a channel schema", rule="schema.fields")
            payload = schema.encode(payload)
        elif isinstance(payload, str):
            payload = payload.encode("utf-8")
        if schema is not None:
            schema.check_length(len(payload))
        if len(payload) > self.max_message_size:
            raise errors.MessageTooLarge("%d bytes is over the limit of %d" % (len(payload), self.max_message_size))
        return payload


class Publisher(_Bound):
    """publish(name, schema=...): a PUB socket registered as a pubsub channel. send() from one thread at a time."""

    def __init__(self, client, name, schema=None, metadata=None, host="127.0.0.1", max_message_size=DEFAULT_MAX):
        self._bind(client, name, "pubsub", zmq.PUB, host, metadata, schema, max_message_size)
        self.session = struct.unpack("<q", os.urandom(8))[0]
        self.seq = 0
        self._lock = threading.Lock()

    def send(self, payload=b"", **fields):
        """Publishes bytes, str, or (with a schema) a dict / keyword fields; never blocks."""
        if fields:
            payload = dict(fields)
        payload = self._payload(payload, self.schema)
        with self._lock:
            if self._sock is None:
                raise errors.ChannelClosed("publisher %s is closed" % self.name)
            self.seq += 1
            self._sock.send(header(PUBLISH, self.seq, 0, self.session) + bytes(payload), copy=False)
        return self.seq

    publish = send

    def close(self):
        with self._lock:
            if self._sock is None:
                return
            self._sock.close(0)
            self._sock = None
        self.client.broker.unregister(self.name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Server(_Bound):
    """serve(name, handler): a ROUTER registered as a reqrep channel; handler(payload or Record) returns the
    reply (bytes, str, or a dict with a reply schema). Runs on a thread of its own; a handler that raises
    answers REPLY_ERROR (a LabHubError's code, else REMOTE_ERROR with the exception's class)."""

    def __init__(self, client, name, handler, schema=None, metadata=None, host="127.0.0.1",
                 max_message_size=DEFAULT_MAX):
        self._bind(client, name, "reqrep", zmq.ROUTER, host, metadata, schema, max_message_size)
        self._sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
        self.handler = handler
        self.handled = self.errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="labhub-serve-" + name, daemon=True)
        self._thread.start()

    def _reply(self, peer, type_, id_, body):
        try:
            self._sock.send_multipart([peer, header(type_, id_) + body])
        except zmq.ZMQError:
            pass   # the client is gone

    def _run(self):
        s = self._sock
        while not self._stop.is_set():
            if not s.poll(100):
                continue
            parts = s.recv_multipart()
            if len(parts) != 2:
                self.errors += 1
                continue
            peer, frame = parts
            p = parse(frame)
            if p is None:
                self.errors += 1
                if len(frame) >= HEADER.size:
                    self._reply(peer, REPLY_ERROR, struct.unpack_from(">q", frame, 8)[0],
                                json.dumps({"code": "UNSUPPORTED_VERSION" if frame[0] != WIRE_VERSION else "INVALID_MESSAGE",
                                            "message": "refused"}).encode())
                continue
            type_, timeout_ms, id_, ts, max_reply, payload = p
            if type_ == PING:
                self._reply(peer, PONG, id_, b"")
                continue
            if type_ != REQUEST:
                self._reply(peer, REPLY_ERROR, id_, json.dumps({"code": "INVALID_MESSAGE", "message": "not a request"}).encode())
                continue
            try:
                arg = self.schema.decode(payload) if self.schema is not None else bytes(payload)
                out = self.handler(arg)
                reply_schema = self.schema.reply if self.schema is not None else None
                if out is None:
                    out = b""
                out = self._payload(out, reply_schema)
                if max_reply and len(out) > max_reply:
                    raise errors.MessageTooLarge("reply of %d bytes is over the client's limit of %d" % (len(out), max_reply))
                self.handled += 1
                self._reply(peer, REPLY_OK, id_, bytes(out))
            except errors.LabHubError as e:
                self.errors += 1
                self._reply(peer, REPLY_ERROR, id_, json.dumps({"code": e.code, "message": str(e)}).encode())
            except Exception as e:
                self.errors += 1
                self._reply(peer, REPLY_ERROR, id_, json.dumps({"code": "REMOTE_ERROR", "remoteType": type(e).__name__,
                                                                "message": str(e)}).encode())

    def close(self):
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join(5)
        self._sock.close(0)
        self.client.broker.unregister(self.name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Requester:
    """A DEALER to one reqrep channel. PINGs until a PONG before the first request (a message queued during a
    stalled handshake would be lost, docs/pitfalls.md)."""

    def __init__(self, client, name):
        self.client, self.name = client, name
        self._ids = 0
        self._lock = threading.Lock()
        self._sock = None
        self._open(client.broker.discover(name))

    def _open(self, ch):
        if ch["kind"] != "reqrep":
            raise errors.InvalidArgument("%s is a %s channel, not reqrep" % (self.name, ch["kind"]), rule="channel.kind")
        check_wire_version(ch)
        if self._sock is not None:
            self._sock.close(0)
        self.channel = ch
        self.schema = channel_schema(ch)
        s = self.client.context.socket(zmq.DEALER)
        self.client.keys.apply(s, ch["serverKey"])
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.HANDSHAKE_IVL, 2000)
        s.connect(ch["endpoint"])
        self._sock = s
        self._ponged = False

    def _next_id(self):
        self._ids += 1
        return self._ids

    def _await_pong(self, deadline):
        while time.monotonic() < deadline:
            pid = self._next_id()
            try:
                # never blocks: without a connection (server down, or our key refused: ZeroMQ does not
                # retry a refused handshake) a DEALER's send would wait for ever
                self._sock.send(header(PING, pid), zmq.DONTWAIT)
            except zmq.Again:
                pass
            end = min(deadline, time.monotonic() + 0.1)
            while time.monotonic() < end:
                if self._sock.poll(max(1, int((end - time.monotonic()) * 1000))):
                    p = parse(self._sock.recv())
                    if p is not None and p[0] == PONG:
                        self._ponged = True
                        return
        raise errors.Timeout("the server of %s did not answer within the timeout" % self.name)

    def request(self, payload=b"", timeout=5.0):
        if isinstance(payload, dict):
            if self.schema is None:
                raise errors.InvalidArgument("a dict payload needs a channel schema", rule="schema.fields")
            payload = self.schema.encode(payload)
        elif isinstance(payload, str):
            payload = payload.encode("utf-8")
        if self.schema is not None:
            self.schema.check_length(len(payload))
        deadline = time.monotonic() + timeout
        with self._lock:
            if self._sock is None:
                raise errors.ChannelClosed("closed")
            if not self._ponged:
                self._await_pong(deadline)
            rid = self._next_id()
            left = deadline - time.monotonic()
            if left <= 0 or not self._sock.poll(max(1, int(left * 1000)), zmq.POLLOUT):
                raise errors.Timeout("no connection to the server of %s within %.1f s" % (self.name, timeout))
            self._sock.send(header(REQUEST, rid, max(1, int(timeout * 1000))) + bytes(payload), zmq.DONTWAIT)
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not self._sock.poll(max(1, int(left * 1000))):
                    if time.monotonic() >= deadline:
                        raise errors.Timeout("no reply from %s within %.1f s" % (self.name, timeout))
                    continue
                p = parse(self._sock.recv())
                if p is None or p[2] != rid or p[0] not in (REPLY_OK, REPLY_ERROR):
                    continue   # a PONG, or a late reply to a request that timed out
                body = bytes(p[5])
                if p[0] == REPLY_OK:
                    reply_schema = self.schema.reply if self.schema is not None else None
                    return reply_schema.decode(body) if reply_schema is not None else body
                try:
                    err = json.loads(body)
                except ValueError:
                    raise errors.RemoteError("unreadable error reply: %r" % body[:200])
                raise errors.from_code(err.get("code"), err.get("message", ""), remote_type=err.get("remoteType"))

    def close(self):
        with self._lock:
            if self._sock is not None:
                self._sock.close(0)
                self._sock = None
