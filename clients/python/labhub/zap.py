"""A ZAP handler (RFC 27) for this client's servers: only CURVE clients whose key is in the allow-list get in.

The allow-list is a file in the format of a LabHub runtime's conf/keys/allowed_keys (one Z85 key per line,
'#' comments), re-read when it changes, or a fixed collection of keys."""
import os
import threading

import zmq
import zmq.utils.z85

ZAP_ENDPOINT = "inproc://zeromq.zap.01"
DOMAIN = b"labhub"


class AllowList:
    def __init__(self, source):
        self.path = None
        self.keys = frozenset()
        self._mtime = None
        if isinstance(source, (str, bytes, os.PathLike)):
            self.path = os.fspath(source)
        else:
            self.keys = frozenset(k.decode() if isinstance(k, bytes) else k for k in source)

    def allowed(self, key):
        if self.path is not None:
            try:
                mtime = os.stat(self.path).st_mtime_ns
            except FileNotFoundError:
                return False
            if mtime != self._mtime:
                with open(self.path, encoding="ascii", errors="replace") as f:
                    self.keys = frozenset(l.strip() for l in f if l.strip() and not l.strip().startswith("#"))
                self._mtime = mtime
        return key in self.keys


class ZapHandler:
    """Answers the ZAP requests of every socket of `context` on a thread of its own."""

    def __init__(self, context, allow_list, out=None):
        self.allow_list = allow_list
        self.refused = 0
        self._out = out
        self._stop = threading.Event()
        self._sock = context.socket(zmq.REP)
        self._sock.setsockopt(zmq.LINGER, 0)
        self._sock.bind(ZAP_ENDPOINT)
        self._thread = threading.Thread(target=self._run, name="labhub-zap", daemon=True)
        self._thread.start()

    def _run(self):
        s = self._sock
        while not self._stop.is_set():
            if not s.poll(100):
                continue
            frames = s.recv_multipart()
            version, request_id, domain, address, _identity, mechanism = frames[:6]
            key = zmq.utils.z85.encode(frames[6]).decode() if mechanism == b"CURVE" and len(frames) > 6 else None
            if key is not None and self.allow_list.allowed(key):
                s.send_multipart([version, request_id, b"200", b"OK", key.encode(), b""])
            else:
                self.refused += 1
                if self._out is not None and self.refused <= 3:
                    print("labhub: refused %s client %s from %s: not in the allow-list"
                          % (mechanism.decode(errors="replace"), key, address.decode(errors="replace")),
                          file=self._out, flush=True)
                s.send_multipart([version, request_id, b"400", b"not in the allow-list", b"", b""])
        s.close(0)

    def close(self):
        self._stop.set()
        self._thread.join(5)
