"""labhub.Client: the one object a script holds (context manager)."""
import os

import zmq

from . import errors
from .broker import Broker, Events
from .keys import KeyPair, read_key_file
from .schema import Schema
from .zmqchannels import Publisher, Requester, Server, Subscription


def default_key_folder():
    return os.path.join(os.path.expanduser("~"), ".config", "labhub", "keys")


def broker_key_of(value):
    """A Z85 key, or the path of a key file (a runtime's conf/keys/labhub.pub)."""
    if value and os.path.exists(os.fspath(value)):
        return read_key_file(value)
    return value


class Client:
    """A LabHub client: a broker session (heartbeats in the background) and the channels made from it.

        with labhub.Client("tcp://lab-pc:5570", "runtime/target/labhub/conf/keys/labhub.pub") as hub:
            print(hub.channels())

    endpoint / broker_key default to $LABHUB_BROKER and $LABHUB_BROKER_KEY (a key or a key file); the client's
    own pair is loaded from, or created in, key_folder ($LABHUB_KEYS, else ~/.config/labhub/keys). Until the
    broker admits the key the constructor prints the hub:allow line and retries (admission_timeout seconds,
    None = for ever).
    """

    def __init__(self, endpoint=None, broker_key=None, key_folder=None, keys=None, admission_timeout=None,
                 request_timeout=2.0, out=None, allowed_keys=None):
        endpoint = endpoint or os.environ.get("LABHUB_BROKER") or "tcp://127.0.0.1:5570"
        broker_key = broker_key_of(broker_key or os.environ.get("LABHUB_BROKER_KEY"))
        if not broker_key:
            raise errors.InvalidArgument("the broker's public key is needed (broker_key or $LABHUB_BROKER_KEY)",
                                         rule="key.missing")
        folder = key_folder or os.environ.get("LABHUB_KEYS") or default_key_folder()
        self.keys = keys or KeyPair.load_or_create(folder)
        # who may connect to this client's servers (publish/serve): a file or keys; see _zap()
        if allowed_keys is None:
            allowed_keys = os.environ.get("LABHUB_ALLOWED_KEYS")
        if allowed_keys is None and os.path.exists(os.path.join(folder, "allowed_keys")):
            allowed_keys = os.path.join(folder, "allowed_keys")
        self.allowed_keys = allowed_keys
        self._zap_handler = None
        self._out = out
        self.context = zmq.Context()
        self._children = []
        self._requesters = {}
        try:
            self.broker = Broker(self.context, endpoint, broker_key, self.keys, request_timeout=request_timeout,
                                 admission_timeout=admission_timeout, out=out)
        except BaseException:
            self.context.destroy(0)
            raise

    # ---- the broker ----

    def channels(self):
        """Every channel the broker knows (dicts of docs/protocol.md 5.1), all pages."""
        return self.broker.list()

    def info(self, name):
        """The active channel's object (discover); ChannelNotFound otherwise."""
        return self.broker.discover(name)

    def events(self, name=None):
        return self._own(Events(self.broker, name))

    # ---- consume ----

    def subscribe(self, name):
        return self._own(Subscription(self, name))

    def request(self, name, payload=b"", timeout=5.0):
        """One request; the reply's bytes (or Record with a reply schema). Typed errors for the wire codes."""
        r = self._requesters.get(name)
        if r is None:
            r = self._requesters[name] = Requester(self, name)
        try:
            return r.request(payload, timeout)
        except errors.Timeout:
            # the server may have moved (restarted elsewhere): ask the broker again next time
            r.close()
            self._requesters.pop(name, None)
            raise

    def shm(self, name, **kw):
        from .shm import ShmConsumer
        return self._own(ShmConsumer(self, name, **kw))

    # ---- produce ----

    def publish(self, name, schema=None, **kw):
        self._zap()
        return self._own(Publisher(self, name, schema=schema, **kw))

    def serve(self, name, handler, schema=None, **kw):
        self._zap()
        return self._own(Server(self, name, handler, schema=schema, **kw))

    def _zap(self):
        """Before the first server socket binds: a ZAP handler admitting the allow-list's keys only. Without
        an allow-list (allowed_keys, $LABHUB_ALLOWED_KEYS or KEY_FOLDER/allowed_keys) any CURVE client that
        has the server key (the broker gives it to the clients it admitted) can connect; said once."""
        if self._zap_handler is not None:
            return
        if self.allowed_keys is None:
            if not getattr(self, "_warned", False):
                import sys
                print("labhub: no allow-list for this client's servers: any CURVE client with the server key may"
                      " connect (give Client(allowed_keys=...) a file or keys)", file=self._out or sys.stderr, flush=True)
                self._warned = True
            return
        from .zap import AllowList, ZapHandler
        self._zap_handler = ZapHandler(self.context, AllowList(self.allowed_keys), out=self._out)

    def shm_producer(self, name, **kw):
        from .shm import ShmProducer
        return self._own(ShmProducer(self, name, **kw))

    # ---- lifetime ----

    def _own(self, child):
        self._children.append(child)
        return child

    def close(self):
        """Closes every channel made from this client (producers unregister, shm files go), then the session."""
        for child in reversed(self._children):
            try:
                child.close()
            except Exception:
                pass
        self._children.clear()
        for r in self._requesters.values():
            r.close()
        self._requesters.clear()
        self.broker.close()
        if self._zap_handler is not None:
            self._zap_handler.close()
        self.context.destroy(0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
