import json
import time

import pytest

import labhub
from labhub.zmqchannels import header, PUBLISH
from conftest import await_until

SCHEMA = {"fields": [{"name": "n", "dtype": "u32"}, {"name": "celsius", "dtype": "f64", "unit": "degC", "offset": 8},
                     {"name": "trace", "dtype": "i16", "shape": [2, 3]}],
          "attributes": {"sensor": "py-1"}}


def first(sub, timeout=10):
    return sub.recv(timeout)


def test_java_publisher_to_python_subscriber(hub):
    with hub.subscribe("lab.thermometer") as sub:
        a = sub.recv(10)
        b = sub.recv(10)
        assert b.seq == a.seq + 1 and b.skipped == 0
        assert abs(b.timestamp_ns - time.time_ns()) < 10e9
        if b.record is not None:        # the thermometer declares its schema: one open-length utf8 field
            assert json.loads(b.record["reading"])["celsius"] == b.json()["celsius"]
        assert 0 < b.json()["celsius"] < 100
        assert sub.gaps == 0


def subscribed(hub, pub, sub_name):
    """A SUB joins asynchronously: publish until it receives (slow joiner)."""
    sub = hub.subscribe(sub_name)

    def got():
        pub.send(b"hello" if pub.schema is None else {"n": 0})
        try:
            return sub.recv(0.2)
        except labhub.Timeout:
            return None
    await_until("the subscriber of %s connected" % sub_name, 15, got, every=0)
    return sub


def test_python_publisher_gaps_and_restart(hub):
    pub = hub.publish("py.seq")
    sub = subscribed(hub, pub, "py.seq")
    try:
        s1 = pub.send(b"one")
        pub.seq += 5                   # as if five messages were lost at the high-water mark
        s2 = pub.send(b"two")
        m1 = sub.recv(5)
        while m1.seq != s1:
            m1 = sub.recv(5)
        m2 = sub.recv(5)
        assert (bytes(m2.payload), m2.seq, m2.skipped) == (b"two", s2, 5)
        pub.session += 1               # a restarted publisher: a new session, sequence from 1
        pub.seq = 0
        pub.send(b"three")
        m3 = sub.recv(5)
        assert (m3.seq, m3.skipped) == (1, 0) and sub.reconnects == 1
    finally:
        sub.close()
        pub.close()


def test_schema_is_registered_and_decoded(hub):
    with hub.publish("py.typed", schema=SCHEMA) as pub:
        ch = hub.info("py.typed")
        if ch.get("schemaHash") is None:
            pytest.skip("this broker does not carry schemas yet (register 'schema', channel 'schemaHash')")
        assert ch["schemaHash"] == labhub.Schema(SCHEMA).hash()
        sub = subscribed(hub, pub, "py.typed")
        try:
            pub.send(n=7, celsius=21.5, trace=[[1, -2, 3], [4, 5, -6]])
            m = sub.recv(5)
            while m.record["n"] != 7:
                m = sub.recv(5)
            assert m.record["celsius"] == 21.5
            assert m.record["trace"].shape == (2, 3) and int(m.record["trace"][1, 2]) == -6
            # a message of the wrong size is counted and skipped, never delivered
            pub._sock.send(header(PUBLISH, 99, 0, pub.session) + b"short")
            pub.send(n=8)
            m = sub.recv(5)
            assert m.record["n"] == 8 and sub.errors == 1
        finally:
            sub.close()


def test_wrong_schema_is_refused_by_the_client_and_the_broker(hub):
    with pytest.raises(labhub.InvalidArgument) as e:
        labhub.Schema({"fields": [{"name": "x", "dtype": "u128"}]})
    assert e.value.rule == "schema.dtype"
    with pytest.raises(labhub.InvalidArgument) as e:
        labhub.Schema({"fields": [{"name": "x", "dtype": "u8", "shape": [-1]}]})
    assert e.value.rule == "schema.shape"
    with hub.publish("py.typed2", schema={"fields": [{"name": "x", "dtype": "u16"}]}) as pub:
        with pytest.raises(labhub.InvalidArgument):
            pub.send(b"three")           # 3 bytes is not a u16 record


def test_subscribing_to_an_unknown_or_other_kind_of_channel(hub):
    with pytest.raises(labhub.ChannelNotFound):
        hub.subscribe("no.such.channel")
    with pytest.raises(labhub.InvalidArgument) as e:
        hub.subscribe("stage.x")
    assert e.value.rule == "channel.kind"
