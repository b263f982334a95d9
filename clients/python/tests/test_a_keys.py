import io
import os
import stat
import threading

import pytest

import labhub
from labhub.keys import KeyPair, allow_line
from conftest import allow


def test_key_pair_files_are_owner_only_and_reloaded(tmp_path):
    folder = tmp_path / "keys"
    pair = KeyPair.load_or_create(folder)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(folder / "labhub.key").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder / "labhub.pub").st_mode) == 0o644
    again = KeyPair.load_or_create(folder)
    assert (again.public, again.secret) == (pair.public, pair.secret)
    assert pair.secret not in (folder / "labhub.pub").read_text()


def test_readable_secret_key_is_refused(tmp_path):
    KeyPair.load_or_create(tmp_path)
    os.chmod(tmp_path / "labhub.key", 0o644)
    with pytest.raises(labhub.AuthFailed):
        KeyPair.load_or_create(tmp_path)


def test_public_file_without_secret_is_refused(tmp_path):
    KeyPair.load_or_create(tmp_path)
    os.remove(tmp_path / "labhub.key")
    with pytest.raises(labhub.InvalidArgument) as e:
        KeyPair.load_or_create(tmp_path)
    assert e.value.rule == "key-file.missing"


def test_allow_line_is_exact_and_single_quoted():
    key = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
    assert allow_line(key) == "hub:allow 'Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID'"
    with pytest.raises(labhub.InvalidArgument):
        allow_line("short")


def test_refused_key_prints_the_allow_line_and_times_out(tmp_path):
    out = io.StringIO()
    stranger = KeyPair.load_or_create(tmp_path)
    with pytest.raises(labhub.BrokerUnavailable) as e:
        labhub.Client(keys=stranger, admission_timeout=2, out=out)
    assert stranger.allow_line() in out.getvalue()
    assert stranger.allow_line() in str(e.value)


def test_admission_is_retried_until_the_key_is_allowed(tmp_path):
    out = io.StringIO()
    late = KeyPair.load_or_create(tmp_path)
    result = {}

    def connect():
        try:
            result["client"] = labhub.Client(keys=late, admission_timeout=30, out=out)
        except Exception as e:  # reported below
            result["error"] = e
    t = threading.Thread(target=connect)
    t.start()
    from conftest import await_until
    await_until("the allow line printed", 10, lambda: late.allow_line() in out.getvalue())
    allow(late.public)
    t.join(30)
    assert "client" in result, result
    try:
        assert "admitted" in out.getvalue()
        assert result["client"].info("stage.x")["kind"] == "reqrep"
    finally:
        result["client"].close()
