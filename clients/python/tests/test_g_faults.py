"""Bad input: a producer killed with SIGKILL mid-stream, a truncated segment, a layout the client does not read."""
import os
import signal
import time

import pytest

import labhub
from conftest import await_until, spawn


def test_shm_producer_killed_mid_stream_is_followed_after_restart(hub):
    p = spawn("shm", "py.crashy")
    try:
        con = hub.shm("py.crashy")
        first = con.next(10)
        seg = con.seg.path
        os.kill(p.pid, signal.SIGKILL)
        p.wait(10)
        # frames stop; the consumer notices the dead producer (pid) and keeps answering Timeout, no crash
        await_until("producer seen dead", 10, lambda: not con.producer_alive())
        with pytest.raises(labhub.Timeout):
            while True:
                con.next(0.3)
        p = spawn("shm", "py.crashy")      # the same key again: its reserved name comes back
        f = await_until("frames of the restarted producer", 20, lambda: _next(con))
        assert con.reconnects == 1 and f.seq >= 1
        assert not os.path.exists(seg), "the dead producer's segment is removed by its last consumer"
        con.close()
    finally:
        p.kill()
        p.wait(10)
    # the restarted one was SIGKILLed too: the broker loses it; its file goes with the janitor or here
    for path in [x for x in os.listdir("/dev/shm") if x.startswith("labhub-")]:
        full = os.path.join("/dev/shm", path)
        if not os.path.isfile(full):
            continue  # a labhub-* directory (a benchmark's scratch) is no segment
        with open(full, "rb") as fh:
            pid = int.from_bytes(fh.read(48)[40:48], "little")
        if pid == p.pid:
            os.unlink(full)


def _next(con):
    try:
        return con.next(0.2)
    except labhub.Timeout:
        return None


def test_publisher_killed_mid_stream(hub):
    p = spawn("pub", "py.crashpub")
    try:
        sub = hub.subscribe("py.crashpub")
        m = await_until("a message", 15, lambda: _recv(sub))
        os.kill(p.pid, signal.SIGKILL)
        p.wait(10)
        with pytest.raises(labhub.Timeout):
            while True:
                sub.recv(0.5)
        p = spawn("pub", "py.crashpub")
        m = await_until("a message of the restarted publisher", 20, lambda: _recv(sub))
        assert sub.reconnects >= 1
        sub.close()
    finally:
        p.kill()
        p.wait(10)


def _recv(sub):
    try:
        return sub.recv(0.2)
    except labhub.Timeout:
        return None


def test_truncated_segment_is_a_typed_error(hub):
    with hub.shm_producer("py.trunc", slot_size=4096, slots=4) as prod, hub.shm("py.trunc") as con:
        prod.publish(b"a")
        assert bytes(con.next(5).data) == b"a"
        os.truncate(prod.path, 100)
        with pytest.raises(labhub.SegmentInvalid):
            con.next(2)


def test_foreign_and_truncated_files_are_refused(hub, tmp_path):
    from labhub.shm import _Segment
    name = "labhub-" + "0" * 32
    d = str(tmp_path)
    with open(os.path.join(d, name), "wb") as f:
        f.write(b"x" * 10)
    with pytest.raises(labhub.SegmentInvalid, match="truncated"):
        _Segment(name, {}, d)
    with open(os.path.join(d, name), "wb") as f:
        f.write(b"NOTLABHU" + bytes(4096))
    with pytest.raises(labhub.SegmentInvalid, match="foreign"):
        _Segment(name, {}, d)
    with open(os.path.join(d, name), "wb") as f:
        f.write((0x485342554842414C).to_bytes(8, "little") + (99).to_bytes(4, "little") + bytes(4096))
    with pytest.raises(labhub.UnsupportedVersion):
        _Segment(name, {}, d)
    with pytest.raises(labhub.InvalidArgument):
        _Segment("../etc/passwd", {}, d)
