"""Fixtures: a real runtime started by PythonClientProcessIT (or by hand, see docs/python.md "Tests"), given by
LABHUB_BROKER, LABHUB_BROKER_KEY, LABHUB_KEYS, LABHUB_ALLOWED_KEYS and LABHUB_JAVA_CLIENT."""
import glob
import os
import subprocess
import sys
import time

import pytest

try:
    import zmq  # noqa: F401
except ImportError:
    pytest.skip("pyzmq is not installed (Debian: python3-zmq)", allow_module_level=True)

import labhub
from labhub.keys import KeyPair

ENV = ("LABHUB_BROKER", "LABHUB_BROKER_KEY", "LABHUB_KEYS", "LABHUB_ALLOWED_KEYS")
HERE = os.path.dirname(os.path.abspath(__file__))


def pytest_collection_modifyitems(config, items):
    missing = [e for e in ENV if not os.environ.get(e)]
    if missing:
        skip = pytest.mark.skip(reason="no runtime: set %s (PythonClientProcessIT does)" % ", ".join(missing))
        for item in items:
            item.add_marker(skip)


def await_until(what, timeout, condition, every=0.05):
    """Polls condition() until it is truthy (returned) or timeout seconds pass (AssertionError naming what)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            v = condition()
            if v:
                return v
        except labhub.LabHubError as e:
            last = e
        time.sleep(every)
    raise AssertionError("%s: not within %.1f s (last error: %r)" % (what, timeout, last))


def allow(public_key):
    with open(os.environ["LABHUB_ALLOWED_KEYS"], "a") as f:
        f.write(public_key + "\n")


@pytest.fixture(scope="session")
def keys():
    pair = KeyPair.load_or_create(os.environ["LABHUB_KEYS"])
    allow(pair.public)
    return pair


@pytest.fixture(scope="session")
def hub(keys):
    with labhub.Client(keys=keys, admission_timeout=30) as client:
        for name in ("camera1.frames", "lab.thermometer", "stage.x"):
            await_until(name + " registered", 30, lambda: client.info(name))
        yield client


@pytest.fixture(scope="session", autouse=True)
def no_segment_left():
    """Nothing this run creates is left in /dev/shm: no segment of this process, none of a dead producer."""
    before = set(glob.glob("/dev/shm/labhub-*"))
    yield
    from labhub import _native
    left = []
    for path in set(glob.glob("/dev/shm/labhub-*")) - before:
        pid, start = _producer(path)
        if pid == os.getpid() or not _native.process_alive(pid, start):
            left.append(path)
    assert not left, "segments left behind: %s" % left


def _producer(path):
    try:
        with open(path, "rb") as f:
            head = f.read(56)
        return int.from_bytes(head[40:48], "little"), int.from_bytes(head[48:56], "little")
    except OSError:
        return 0, 0


_HELPER_KEYS = []


def spawn(*args):
    """A helper process (tests/procs.py) that prints 'ready' once its channels are registered. Helpers have
    a key pair of their own (one key = one process at a time: the broker refuses a second with KEY_IN_USE)."""
    folder = os.path.join(os.environ["LABHUB_KEYS"], "helper")
    if not _HELPER_KEYS:
        _HELPER_KEYS.append(KeyPair.load_or_create(folder))
        allow(_HELPER_KEYS[0].public)
    env = dict(os.environ, LABHUB_KEYS=folder)
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "procs.py")] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.monotonic() + 30
    lines = []
    while time.monotonic() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.strip() == "ready":
            return p
    p.kill()
    raise AssertionError("helper %s did not get ready: %s" % (args, "".join(lines)))


@pytest.fixture(scope="session")
def java_client(keys):
    """Runs Gogo commands in the second runtime (no broker, no drivers): the Java consumer of Python channels."""
    home = os.environ.get("LABHUB_JAVA_CLIENT")
    if not home:
        pytest.skip("LABHUB_JAVA_CLIENT (a runtime to use as the Java consumer) is not set")
    pair = KeyPair.load_or_create(os.path.join(home, "conf", "keys"))   # the runtime's own key files, same format
    allow(pair.public)

    def run(commands, timeout=90):
        r = subprocess.run([os.path.join(home, "bin", "labhub"), "-c", commands], capture_output=True, text=True,
                           timeout=timeout)
        return r.returncode, r.stdout, r.stderr
    return run
