"""docs/mosquitto/today-feeling.conf + .acl really separate watching from controlling."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, free_port
from tests.fixtures.broker import Broker, BrokerFactory, port_open
from tests.fixtures.mqtt_probe import Message, Probe
from tests.mqtt.conftest import BASE, DEVICE, Device, DeviceFactory

# A hang is a failure, never a stuck run (every wait inside is bounded too).
pytestmark = pytest.mark.timeout(60)

USERS = {"today-feeling": "dev-pw", "controller": "ctl-pw", "reader": "read-pw",
         "homeassistant": "ha-pw"}


def privacy_is(value: str) -> Callable[[Message], bool]:
    return lambda m: m.json()["state"] == value


@pytest.fixture
def documented(make_broker: BrokerFactory) -> Broker:
    return make_broker(documented=True, users=USERS)


@pytest.fixture
def device(documented: Broker, make_device: DeviceFactory, tmp_path: Path) -> Device:
    (tmp_path / "pw").write_text(USERS["today-feeling"])
    dev = make_device(documented.url, username="today-feeling", password_file=str(tmp_path / "pw"))
    assert dev.service.connected.wait(10)
    return dev


def ws_probe(broker: Broker, user: str | None) -> Probe:
    assert broker.ws_port is not None
    return Probe(broker.ws_port, (f"{BASE}/#",), username=user,
                 password=USERS.get(user or ""), transport="websockets")


@pytest.mark.parametrize("user", [None, "reader"])
def test_watchers_read_over_websockets_but_cannot_command(
        documented: Broker, device: Device, user: str | None) -> None:
    watcher = ws_probe(documented, user)
    try:
        assert watcher.wait_text(f"{BASE}/availability", "online").retain
        watcher.wait_for(f"{BASE}/privacy", privacy_is("OFF"))
        watcher.client.publish(f"{BASE}/privacy/set", "ON", qos=1).wait_for_publish(5)
        time.sleep(0.5)  # a negative check: the broker drops the unauthorised publish
        assert device.controls.state.privacy is False
    finally:
        watcher.close()


def test_controller_commands_over_websockets(documented: Broker, device: Device) -> None:
    controller = ws_probe(documented, "controller")
    try:
        controller.wait_for(f"{BASE}/privacy", privacy_is("OFF"))
        controller.publish(f"{BASE}/privacy/set", "ON")
        controller.wait_for(f"{BASE}/privacy", privacy_is("ON"))
        assert device.controls.state.privacy is True
    finally:
        controller.close()


def test_home_assistant_user_sees_discovery_and_controls(documented: Broker,
                                                         device: Device) -> None:
    ha = Probe(documented.port, (f"{BASE}/#", "homeassistant/#"), username="homeassistant",
               password=USERS["homeassistant"])
    try:
        ha.wait_for(f"homeassistant/device/{DEVICE}/config")
        mark = ha.mark()
        ha.publish("homeassistant/status", "online")
        ha.wait_for(f"homeassistant/device/{DEVICE}/config", after=mark)
        ha.publish(f"{BASE}/volume/set", "25")
        ha.wait_for(f"{BASE}/volume", lambda m: m.json()["state"] == 25)
    finally:
        ha.close()


def test_anonymous_clients_cannot_impersonate_the_device(documented: Broker,
                                                         device: Device) -> None:
    anon = Probe(documented.port, (f"{BASE}/#",))
    try:
        anon.wait_text(f"{BASE}/availability", "online")
        anon.client.publish(f"{BASE}/availability", "offline", qos=1,
                            retain=True).wait_for_publish(5)
        time.sleep(0.3)  # a negative check
        late = Probe(documented.port, (f"{BASE}/availability",))
        try:
            assert late.wait_for(f"{BASE}/availability").text == "online"
        finally:
            late.close()
    finally:
        anon.close()


@pytest.fixture
def demo_broker(tmp_path: Path) -> Iterator[tuple[Path, int, int]]:
    """scripts/demo-broker.sh on free ports, stopped (SIGTERM, then SIGKILL) at teardown."""
    port, ws_port = free_port(), free_port()
    env = {**os.environ, "MQTT_PORT": str(port), "WS_PORT": str(ws_port), "DEMO_PASSWORD": "pw"}
    proc = subprocess.Popen(["sh", str(REPO_ROOT / "scripts" / "demo-broker.sh"),
                             str(tmp_path / "demo")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while not all(port_open(p) for p in (port, ws_port)):
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "demo broker did not start listening"
            time.sleep(0.05)
        yield tmp_path / "demo", port, ws_port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def test_demo_broker_script(demo_broker: tuple[Path, int, int],
                            make_device: DeviceFactory) -> None:
    folder, port, ws_port = demo_broker
    device = make_device(f"mqtt://today-feeling@127.0.0.1:{port}",
                         environ={"CREDENTIALS_DIRECTORY": str(folder / "credentials")})
    assert device.service.connected.wait(10)
    controller = Probe(ws_port, (f"{BASE}/#",), username="controller", password="pw",
                       transport="websockets")
    try:
        controller.wait_text(f"{BASE}/availability", "online")
        controller.publish(f"{BASE}/mode/set", "lift")
        controller.wait_for(f"{BASE}/mode", lambda m: m.json()["state"] == "lift")
    finally:
        controller.close()
