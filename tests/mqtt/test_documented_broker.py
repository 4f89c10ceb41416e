"""docs/mosquitto/today-feeling.conf + .acl really separate watching from controlling."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

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


def connack(port: int, *, user: str | None = None, client_id: str = "", transport: str = "tcp") -> Any:
    """Connect once and return the broker's CONNACK reason code (then disconnect)."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, transport=transport)  # type: ignore[arg-type]
    if user:
        client.username_pw_set(user, USERS[user])
    answers: list[Any] = []
    client.on_connect = lambda _c, _u, _f, rc, _p: answers.append(rc)
    client.connect("127.0.0.1", port)
    client.loop_start()
    deadline = time.monotonic() + 10
    while not answers and time.monotonic() < deadline:
        time.sleep(0.05)
    client.loop_stop()
    client.disconnect()
    assert answers, f"no CONNACK from port {port}"
    return answers[0]


def ws_probe(broker: Broker, user: str | None) -> Probe:
    assert broker.ws_port is not None
    return Probe(broker.ws_port, (f"{BASE}/#",), username=user,
                 password=USERS.get(user or ""), transport="websockets")


def test_watchers_read_over_websockets_but_cannot_command(documented: Broker, device: Device) -> None:
    watcher = ws_probe(documented, "reader")
    try:
        assert watcher.wait_text(f"{BASE}/availability", "online").retain
        watcher.wait_for(f"{BASE}/privacy", privacy_is("OFF"))
        watcher.client.publish(f"{BASE}/privacy/set", "ON", qos=1).wait_for_publish(5)
        time.sleep(0.5)  # a negative check: the broker drops the unauthorised publish
        assert device.controls.state.privacy is False
    finally:
        watcher.close()


@pytest.mark.parametrize("transport", ["tcp", "websockets"])
def test_anonymous_clients_are_refused_and_receive_nothing(
        documented: Broker, device: Device, transport: str) -> None:
    port = documented.ws_port if transport == "websockets" else documented.port
    assert port is not None
    refused = connack(port, transport=transport)
    assert refused.is_failure and "authori" in str(refused).lower()


def test_no_login_can_take_over_the_device_s_session(documented: Broker, device: Device) -> None:
    """A broker hands a session to whoever brings its client id: the device's must not be guessable."""
    watch = Probe(documented.port, (f"{BASE}/availability",), username="reader", password=USERS["reader"])
    try:
        mark = watch.mark()
        for user, cid in ((None, f"today_feeling-{DEVICE}"), ("reader", f"today_feeling-{DEVICE}"),
                          ("controller", f"today_feeling-{DEVICE}-0000000000")):
            connack(documented.port, user=user, client_id=cid)  # the documented id of old, a guess
        time.sleep(1.0)  # a negative check: a takeover would publish the device's will at once
        assert all(m.text == "online" for m in watch.messages[mark:]), watch.messages[mark:]
        assert device.service.connected.is_set()
        assert device.service.client_id.startswith(f"today_feeling-{DEVICE}-")
        assert device.service.client_id != f"today_feeling-{DEVICE}-0000000000"
    finally:
        watch.close()


def test_a_packet_over_64_kib_is_refused_before_it_reaches_the_device(
        documented: Broker, device: Device) -> None:
    sender = mqtt.Client(CallbackAPIVersion.VERSION2)
    sender.username_pw_set("controller", USERS["controller"])
    dropped: list[Any] = []
    sender.on_disconnect = lambda _c, _u, _f, rc, _p: dropped.append(rc)
    sender.connect("127.0.0.1", documented.port)
    sender.loop_start()
    try:
        sender.publish(f"{BASE}/volume/set", b"5" * 10_000_000, qos=0)
        deadline = time.monotonic() + 10
        while not dropped and time.monotonic() < deadline:
            time.sleep(0.05)
        assert dropped, "the broker kept a client that sent 10 MB"
        time.sleep(0.5)  # a negative check: nothing of it may reach the device
        assert device.controls.state.volume is None
        assert device.service.connected.is_set()
    finally:
        sender.loop_stop()
        sender.disconnect()


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


def test_readers_cannot_impersonate_the_device(documented: Broker, device: Device) -> None:
    anon = Probe(documented.port, (f"{BASE}/#",), username="reader", password=USERS["reader"])
    try:
        anon.wait_text(f"{BASE}/availability", "online")
        anon.client.publish(f"{BASE}/availability", "offline", qos=1,
                            retain=True).wait_for_publish(5)
        time.sleep(0.3)  # a negative check
        late = Probe(documented.port, (f"{BASE}/availability",), username="reader",
                     password=USERS["reader"])
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


def test_demo_broker_listens_on_loopback_only(demo_broker: tuple[Path, int, int]) -> None:
    _, port, ws_port = demo_broker
    listening = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True, timeout=10,
                               check=True).stdout.split("\n")
    addresses = {line.split()[3] for line in listening if line.split()
                 and line.split()[3].rsplit(":", 1)[-1] in (str(port), str(ws_port))}
    assert {a.rsplit(":", 1)[-1] for a in addresses} == {str(port), str(ws_port)}, listening
    for address in addresses:  # never *:PORT or 0.0.0.0:PORT (mosquitto 2.0.11's websockets default)
        host = address.rsplit(":", 1)[0]
        assert host in ("127.0.0.1", "[::ffff:127.0.0.1]"), addresses
