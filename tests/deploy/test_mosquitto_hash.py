"""The role's password-file hashes are accepted by a real mosquitto, and they are stable."""

from __future__ import annotations

import getpass
import importlib.util
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.conftest import free_port
from tests.deploy.paths import ANSIBLE_DIR

FILTER = ANSIBLE_DIR / "roles" / "today_feeling" / "filter_plugins" / "mosquitto.py"


def load_filter() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tf_mosquitto_filter", FILTER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[int]:
    """mosquitto on loopback with one user whose entry the filter wrote."""
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    port = free_port()
    entry = load_filter().mosquitto_hash("s3cret pass", "device1", "alice")
    (tmp_path / "passwd").write_text(f"alice:{entry}\n")
    (tmp_path / "passwd").chmod(0o600)
    (tmp_path / "mosquitto.conf").write_text(
        # user: keep our own uid (as root it would switch to "mosquitto", who cannot read tmp_path)
        f"user {getpass.getuser()}\nlistener {port} 127.0.0.1\nallow_anonymous false\n"
        f"password_file {tmp_path / 'passwd'}\n")
    proc = subprocess.Popen([binary, "-c", str(tmp_path / "mosquitto.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def connect_rc(port: int, user: str, password: str) -> int:
    """CONNACK reason code (0 = accepted), retrying while the broker starts."""
    deadline = time.monotonic() + 10
    while True:
        client = mqtt.Client(CallbackAPIVersion.VERSION2)
        client.username_pw_set(user, password)
        try:
            client.connect("127.0.0.1", port, keepalive=5)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
            continue
        codes: list[int] = []
        client.on_connect = lambda _c, _u, _f, rc, _p, out=codes: out.append(rc.value)
        client.loop_start()
        try:
            end = time.monotonic() + 10
            while not codes and time.monotonic() < end:
                time.sleep(0.05)
        finally:
            client.loop_stop()
            client.disconnect()
        assert codes, "no CONNACK within 10 s"
        return codes[0]


def test_hash_is_deterministic_per_host_and_user() -> None:
    hash_ = load_filter().mosquitto_hash
    assert hash_("pw", "h1", "u") == hash_("pw", "h1", "u")
    assert hash_("pw", "h1", "u") != hash_("pw", "h2", "u")
    assert hash_("pw", "h1", "u").startswith("$7$")


def test_mosquitto_accepts_the_right_password_only(broker: int) -> None:
    assert connect_rc(broker, "alice", "s3cret pass") == 0
    assert connect_rc(broker, "alice", "wrong") != 0
