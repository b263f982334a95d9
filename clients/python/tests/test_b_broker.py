import pytest

import labhub
from conftest import await_until


def test_channels_lists_the_samples(hub):
    names = {c["name"]: c for c in hub.channels()}
    assert names["camera1.frames"]["kind"] == "shm"
    assert names["lab.thermometer"]["kind"] == "pubsub"
    assert names["stage.x"]["kind"] == "reqrep"


def test_info(hub):
    cam = hub.info("camera1.frames")
    assert cam["state"] == "active" and cam["metadata"]["shm.slotSize"] == "2097184"


def test_unknown_channel_is_channel_not_found(hub):
    with pytest.raises(labhub.ChannelNotFound):
        hub.info("no.such.channel")


def test_bad_name_is_invalid_argument_with_rule(hub):
    with pytest.raises(labhub.InvalidArgument) as e:
        hub.info("1bad")
    assert e.value.rule == "name.start"


def test_events_of_a_channel(hub):
    with hub.events("py.events") as events:
        # the SUB's subscription reaches the broker asynchronously: publish until the event is seen
        pubs = []
        try:
            def registered():
                pubs.append(hub.publish("py.events"))
                try:
                    ev = events.next(0.5)
                    return ev if ev.type == "channel_registered" else None
                except labhub.Timeout:
                    pubs.pop().close()
                    return None
            ev = await_until("channel_registered of py.events", 15, registered, every=0)
            assert ev.name == "py.events" and ev.channel["producer"] == hub.keys.public
        finally:
            for p in pubs:
                p.close()
        types = []
        while "channel_closed" not in types:     # an earlier try's events may come first
            ev = events.next(5)
            assert ev.name == "py.events"
            types.append(ev.type)


def test_heartbeats_keep_a_channel_alive(hub):
    import time
    with hub.publish("py.alive") as pub:
        # Only the background heartbeats speak for the client meanwhile (any request would count as one):
        # twice the liveness window (heartbeatIntervalMs x missedBeats) of silence from the caller is the test.
        window = hub.broker.heartbeat_interval * hub.broker.hello_reply.get("missedBeats", 3)
        opened = hub.broker.sessions_opened
        time.sleep(2 * window)
        assert hub.info("py.alive")["state"] == "active"
        assert hub.broker.sessions_opened == opened   # never declared lost
        assert pub.channel["producer"] == hub.keys.public
