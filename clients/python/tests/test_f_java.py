"""Python producers, a Java consumer (the second runtime's hub:tail / hub:request)."""
import threading
import time

import pytest

import labhub

SCHEMA = {"fields": [{"name": "n", "dtype": "u32"}, {"name": "value", "dtype": "f64", "offset": 8}]}


def test_java_consumer_reads_every_python_kind(hub, java_client):
    stop = threading.Event()
    with hub.publish("py.temp", metadata={"unit": "degC"}) as pub, \
            hub.serve("py.cmd", lambda b: b"done " + b) as srv, \
            hub.shm_producer("py.frames", slot_size=4096, slots=4) as prod, \
            hub.shm_producer("py.typed", schema=SCHEMA, slots=4) as typed:
        def run():
            i = 0
            while not stop.is_set():
                i += 1
                pub.send(b'{"n":%d}' % i)
                prod.publish(bytes(100))
                typed.publish(n=i, value=0.5 * i)
                time.sleep(0.02)
        t = threading.Thread(target=run)
        t.start()
        try:
            code, out, err = java_client("hub:tail py.temp 3; hub:request py.cmd 'home'; hub:tail py.frames 2; hub:tail py.typed 2; hub:info py.typed")
        finally:
            stop.set()
            t.join()
        assert code == 0, out + err
        assert out.count('{"n":') == 3, out
        assert "done home" in out, out
        assert out.count(" 100 bytes") == 2, out
        assert srv.handled == 1
        # the Java consumer checked the segment's schema hash against the broker's: same bytes, same type
        assert out.count(" 16 bytes") == 2, out
        assert labhub.Schema(SCHEMA).hash() in out, out
