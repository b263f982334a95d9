"""Last: restarts the runtime's broker (a changed configuration re-creates the DS component)."""
import os

import pytest

import labhub
from conftest import await_until


def test_reregisters_after_a_broker_restart(hub):
    cfg = os.environ.get("LABHUB_BROKER_CFG")   # the runtime's conf/io.labhub.broker.cfg (PythonClientProcessIT)
    if not cfg:
        pytest.skip("LABHUB_BROKER_CFG is not set: this test changes the broker's configuration to restart it")
    with hub.publish("py.survivor") as pub:
        opened = hub.broker.sessions_opened
        beats = hub.broker.hello_reply["missedBeats"] + 1    # a changed value: the component is re-created
        with open(cfg, "a") as f:
            f.write("\n# restarted by test_z_restart\nmissedBeats = %d\n" % beats)
        await_until("a new session after the restart", 30, lambda: hub.broker.sessions_opened > opened, every=0.1)
        ch = await_until("py.survivor registered again", 15, lambda: hub.info("py.survivor"))
        assert ch["endpoint"] == pub.endpoint and hub.broker.hello_reply["missedBeats"] == beats
