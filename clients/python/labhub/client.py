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
                 request_timeout=2.0, out=None):
        endpoint = endpoint or os.environ.get("LABHUB_BROKER") or "tcp://127.0.0.1:5570"
        broker_key = broker_key_of(broker_key or os.environ.get("LABHUB_BROKER_KEY"))
        if not broker_key:
            raise errors.InvalidArgument("the broker's public key is needed (broker_key or $LABHUB_BROKER_KEY)",
                                         rule="key.missing")
        self.keys = keys or KeyPair.load_or_create(key_folder or os.environ.get("LABHUB_KEYS") or default_key_folder())
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
        return self._own(Publisher(self, name, schema=schema, **kw))

    def serve(self, name, handler, schema=None, **kw):
        return self._own(Server(self, name, handler, schema=schema, **kw))

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
        self.context.destroy(0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
