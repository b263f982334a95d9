"""Python producers, a Java consumer (the second runtime's hub:tail / hub:request)."""
import threading
import time

import labhub

SCHEMA = {"fields": [{"name": "n", "dtype": "u32"}, {"name": "value", "dtype": "f64", "offset": 8}]}


def feeding(*producers):
    """Publishes on every producer every 20 ms until the returned event is set."""
    stop = threading.Event()

    def run():
        i = 0
        while not stop.is_set():
            i += 1
            for send in producers:
                send(i)
            time.sleep(0.02)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return stop, t


def test_java_consumer_reads_every_python_kind(hub, java_client):
    with hub.publish("py.temp", metadata={"unit": "degC"}) as pub, \
            hub.serve("py.cmd", lambda b: b"done " + b) as srv, \
            hub.shm_producer("py.frames", slot_size=4096, slots=4) as prod:
        stop, t = feeding(lambda i: pub.send(b'{"n":%d}' % i), lambda i: prod.publish(bytes(100)))
        try:
            code, out, err = java_client("hub:tail py.temp 3; hub:request py.cmd 'home'; hub:tail py.frames 2")
        finally:
            stop.set()
            t.join()
        assert code == 0, out + err
        assert out.count('{"n":') == 3, out
        assert "done home" in out, out
        assert out.count(" 100 bytes") == 2, out
        assert srv.handled == 1


def test_java_consumer_reads_a_typed_python_shm_channel(hub, java_client):
    """The Java consumer checks the segment's schema hash against the broker's: same type, same bytes."""
    with hub.shm_producer("py.typed", schema=SCHEMA, slots=4) as typed:
        stop, t = feeding(lambda i: typed.publish(n=i, value=0.5 * i))
        try:
            code, out, err = java_client("hub:info py.typed; hub:tail py.typed 2")
        finally:
            stop.set()
            t.join()
        assert labhub.Schema(SCHEMA).hash() in out, out
        assert code == 0, out + err
        assert out.count("#") >= 2, out
