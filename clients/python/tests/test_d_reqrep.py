import threading

import pytest

import labhub


def text(reply):
    """The stage's reply: a Record of its reply schema (one open utf8 field), or bytes without a schema."""
    return reply["reply"] if isinstance(reply, labhub.Record) else reply.decode()


def test_java_server_moves_the_stage(hub):
    assert text(hub.request("stage.x", "position", timeout=5)).startswith("position ")
    reply = text(hub.request("stage.x", "move 0.5", timeout=20))
    assert reply.startswith("moved to 0.500 mm"), reply
    assert text(hub.request("stage.x", "position", timeout=5)).startswith("position 0.500 mm")


def test_java_server_error_codes_become_typed_exceptions(hub):
    with pytest.raises(labhub.InvalidArgument):
        hub.request("stage.x", "fly to the moon", timeout=5)
    with pytest.raises(labhub.ChannelNotFound):
        hub.request("no.such.channel", "x")
    with pytest.raises(labhub.InvalidArgument):
        hub.request("lab.thermometer", "x")   # not a reqrep channel


def test_python_server(hub):
    def handler(payload):
        if payload == b"boom":
            raise KeyError("boom")
        if payload == b"typed":
            raise labhub.Busy("try later")
        return b"echo " + payload
    with hub.serve("py.echo", handler) as srv:
        assert hub.request("py.echo", b"hi") == b"echo hi"
        with pytest.raises(labhub.RemoteError) as e:
            hub.request("py.echo", b"boom")
        assert e.value.remote_type == "KeyError"
        with pytest.raises(labhub.Busy):
            hub.request("py.echo", b"typed")
        assert srv.handled == 1 and srv.errors == 2


def test_request_timeout(hub):
    release = threading.Event()
    with hub.serve("py.slow", lambda p: release.wait(10) and b"late"):
        try:
            with pytest.raises(labhub.Timeout):
                hub.request("py.slow", b"x", timeout=0.3)
        finally:
            release.set()


def test_python_servers_admit_only_allow_listed_keys(hub, tmp_path):
    """The hub fixture's servers check $LABHUB_ALLOWED_KEYS (the runtime's allow-list): a stranger gets nothing."""
    assert hub.allowed_keys
    stranger = labhub.KeyPair.load_or_create(tmp_path / "stranger")
    with hub.serve("py.guarded", lambda p: b"ok") as srv:
        import zmq
        from labhub.zmqchannels import Requester
        r = Requester(hub, "py.guarded")
        try:
            assert r.request(b"x", timeout=5) == b"ok"     # the hub's own key is in the allow-list
        finally:
            r.close()
        own = hub.keys
        hub.keys = stranger                                 # the same request with a key nobody allowed
        try:
            r = Requester(hub, "py.guarded")
            with pytest.raises(labhub.Timeout):
                r.request(b"x", timeout=1)
            r.close()
        finally:
            hub.keys = own
        assert hub._zap_handler.refused >= 1
