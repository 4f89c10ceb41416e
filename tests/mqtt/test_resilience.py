"""Last will on SIGKILL, clean stop, broker restarts and refused credentials."""

from __future__ import annotations

import itertools
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.fixtures.broker import Broker, BrokerFactory
from tests.fixtures.mqtt_probe import Probe
from tests.mqtt.conftest import BASE, DEVICE, DeviceFactory

# A hang is a failure, never a stuck run (every wait inside is bounded too).
pytestmark = pytest.mark.timeout(60)

AVAILABILITY = f"{BASE}/availability"


@pytest.fixture
def holder(broker: Broker) -> Iterator[subprocess.Popen[str]]:
    """A subprocess connected with the real client, killed at teardown whatever happens."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.mqtt.holder", broker.url, DEVICE],
                            stdout=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT)
    yield proc
    proc.kill()
    proc.wait(timeout=10)


def wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()  # bounded: the holder exits after 10 s without a broker
    assert line.strip() == "READY", f"holder did not connect (rc={proc.poll()})"


def test_sigkill_makes_the_broker_publish_offline(
        broker: Broker, holder: subprocess.Popen[str]) -> None:
    wait_ready(holder)
    probe = Probe(broker.port, (AVAILABILITY,))
    try:
        probe.wait_text(AVAILABILITY, "online")
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        # the kernel closes the socket, so the broker sends the will at once (not after keepalive)
        probe.wait_text(AVAILABILITY, "offline", timeout=15)
    finally:
        probe.close()


def test_sigterm_publishes_stopped(broker: Broker, holder: subprocess.Popen[str]) -> None:
    wait_ready(holder)
    probe = Probe(broker.port, (AVAILABILITY,))
    try:
        probe.wait_text(AVAILABILITY, "online")
        holder.send_signal(signal.SIGTERM)
        assert holder.wait(timeout=10) == 0
        probe.wait_text(AVAILABILITY, "stopped")
        time.sleep(0.3)  # a negative check: no will after a clean exit
        assert [m.text for m in probe.on(AVAILABILITY)][-1] == "stopped"
    finally:
        probe.close()


def test_broker_restart_is_survived_and_retained_state_republished(
        broker: Broker, make_device: DeviceFactory) -> None:
    device = make_device(broker.url)
    assert device.service.connected.wait(10)
    device.controls.update(privacy=True, volume=33)
    first = Probe(broker.port, (f"{BASE}/#", "homeassistant/#"))
    try:
        first.wait_for(f"{BASE}/volume", lambda m: m.json()["state"] == 33)
    finally:
        first.close()
    broker.restart(down_s=0.5)  # no persistence: the broker forgets every retained message
    watcher = Probe(broker.port, (f"{BASE}/#",))
    try:  # live or retained, depending on who reconnected first
        watcher.wait_text(AVAILABILITY, "online")
        watcher.wait_for(f"{BASE}/volume")  # the last of the re-published state
    finally:
        watcher.close()
    after = Probe(broker.port, (f"{BASE}/#", "homeassistant/#"))
    try:  # a newcomer gets the device's state as retained messages again
        assert after.wait_text(AVAILABILITY, "online").retain
        assert after.wait_for(f"{BASE}/privacy").json()["state"] == "ON"
        assert after.wait_for(f"{BASE}/volume").json()["state"] == 33
        assert after.wait_for(f"{BASE}/mood").retain
        assert after.wait_for(f"homeassistant/device/{DEVICE}/config").retain
        mark = after.mark()  # commands work again on the new connection
        after.publish(f"{BASE}/privacy/set", "OFF")
        after.wait_for(f"{BASE}/privacy", lambda m: m.json()["state"] == "OFF", after=mark)
    finally:
        after.close()


def test_start_does_not_block_or_fail_while_the_broker_is_down(
        make_broker: BrokerFactory, make_device: DeviceFactory) -> None:
    broker = make_broker(start=False)
    started = time.monotonic()
    device = make_device(broker.url)
    assert time.monotonic() - started < 2.0
    assert not device.service.connected.is_set()
    broker.start()
    assert device.service.connected.wait(10)


def test_right_credentials_connect(make_broker: BrokerFactory, make_device: DeviceFactory,
                                   tmp_path: Path) -> None:
    broker = make_broker(users={"device": "right-pass", "reader": "r"})
    (tmp_path / "pw").write_text("right-pass\n")
    device = make_device(broker.url, username="device", password_file=str(tmp_path / "pw"))
    assert device.service.connected.wait(10)


def test_systemd_credential_connects(make_broker: BrokerFactory, make_device: DeviceFactory,
                                     tmp_path: Path) -> None:
    broker = make_broker(users={"device": "cred-pass"})
    (tmp_path / "mqtt-password").write_text("cred-pass")
    device = make_device(broker.url.replace("mqtt://", "mqtt://device@"),
                         environ={"CREDENTIALS_DIRECTORY": str(tmp_path)})
    assert device.service.connected.wait(10)


def test_wrong_credentials_log_clearly_and_retry_with_backoff(
        make_broker: BrokerFactory, make_device: DeviceFactory, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    broker = make_broker(users={"device": "right-pass"})
    (tmp_path / "pw").write_text("wrong-pass")
    caplog.set_level(logging.INFO, logger="today_feeling.mqtt")
    device = make_device(broker.url, username="device", password_file=str(tmp_path / "pw"),
                         reconnect_min_s=0.2, reconnect_max_s=0.8)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        refusals = [r for r in caplog.records if "refused the connection" in r.getMessage()]
        if len(refusals) >= 4:
            break
        time.sleep(0.05)
    assert len(refusals) >= 4, caplog.text
    assert refusals[0].levelno == logging.ERROR
    assert re.search(r"not authori[sz]ed|bad user name or password", refusals[0].getMessage(),
                     re.IGNORECASE)
    assert "password" in refusals[0].getMessage()
    gaps = [b.created - a.created for a, b in itertools.pairwise(refusals)]
    assert gaps[0] >= 0.15  # waits reconnect_min_s first ...
    assert max(gaps) >= 0.3  # ... and the wait grows (doubles up to reconnect_max_s)
    assert not device.service.connected.is_set()
    assert broker.log().count("not authorised") >= 4  # the broker saw every retry


def test_stop_returns_promptly_while_the_broker_is_down(
        make_broker: BrokerFactory, make_device: DeviceFactory) -> None:
    broker = make_broker(start=False)
    device = make_device(broker.url, reconnect_min_s=5.0, reconnect_max_s=30.0)
    time.sleep(0.3)  # let it fail once and sit in its backoff wait
    started = time.monotonic()
    device.service.stop()
    assert time.monotonic() - started < 5.0  # the daemon's stop contract: a few seconds
    assert not any(t.name == "mqtt-out" and t.is_alive() for t in threading.enumerate())


def test_broker_killed_while_connected_then_back(broker: Broker,
                                                 make_device: DeviceFactory) -> None:
    device = make_device(broker.url)
    assert device.service.connected.wait(10)
    broker.kill()
    deadline = time.monotonic() + 10
    while device.service.connected.is_set() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not device.service.connected.is_set()
    device.controls.update(mode="off")  # a change while offline is not lost
    broker.start()
    assert device.service.connected.wait(10)
    probe = Probe(broker.port, (f"{BASE}/mode",))
    try:
        assert probe.wait_for(f"{BASE}/mode").json()["state"] == "off"
    finally:
        probe.close()


def test_doctor_login_check(make_broker: BrokerFactory, tmp_path: Path) -> None:
    from today_feeling.config.mqtt import MqttSettings
    from today_feeling.config.settings import DeviceSettings, Settings
    from today_feeling.mqtt.check import check_broker_login

    broker = make_broker(users={"device": "right"})
    (tmp_path / "right").write_text("right")
    (tmp_path / "wrong").write_text("wrong")

    def check(password_file: str, url: str = broker.url) -> tuple[bool, str]:
        mqtt = MqttSettings(url=url, username="device", password_file=password_file)
        login = check_broker_login(Settings(device=DeviceSettings(id="d"), mqtt=mqtt),
                                   timeout=5, environ={})
        assert login.name == "mqtt"
        return login.ok, login.detail

    ok, detail = check(str(tmp_path / "right"))
    assert ok, detail
    ok, detail = check(str(tmp_path / "wrong"))
    assert not ok
    assert "not authori" in detail.lower()
    ok, detail = check(str(tmp_path / "absent"))
    assert not ok
    assert "password" in detail
    broker.kill()
    ok, detail = check(str(tmp_path / "right"))
    assert not ok
    assert "cannot connect" in detail
