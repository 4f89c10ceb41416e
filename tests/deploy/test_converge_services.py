"""The MPD and mosquitto the role configured really start with that configuration and behave.

Each daemon is started inside the converged chroot the way its Debian unit does (the unit's
ExecStartPre lines, the package's tmpfiles.d entries, then ExecStart's binary in the
foreground) and used from the host over loopback: the device account, the ACLs, the anonymous
read-only view and the WebSockets listener of mosquitto, and MPD on the configured port.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import mpd
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.deploy.converge import CONTROLLER_PASSWORD, HOST, MQTT_PASSWORD, READER_PASSWORD, Converge, chroot
from tests.support.wait import wait_for

pytestmark = pytest.mark.slow
WAIT_S = 10.0


def exec_start_pre(root: Path, unit: str) -> None:
    """Run a Debian unit's ExecStartPre= commands inside the chroot."""
    for line in (root / "lib/systemd/system" / unit).read_text().splitlines():
        if line.startswith("ExecStartPre="):
            result = chroot(root, *line.split("=", 1)[1].split())
            assert result.returncode == 0, result.stderr


@pytest.fixture
def daemon(converged: Converge) -> Iterator[Callable[[list[str]], None]]:
    """Start a daemon in the chroot (foreground); stopped again after the test."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(argv: list[str]) -> None:
        procs.append(subprocess.Popen(["chroot", str(converged.root), *argv],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class Client:
    """A paho client that records CONNACK and messages, for bounded waits."""

    def __init__(self, port: int, user: str | None = None, password: str | None = None,
                 transport: str = "tcp", ca: Path | None = None) -> None:
        self.rc: int | None = None
        self.messages: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()
        self.mqtt = mqtt.Client(CallbackAPIVersion.VERSION2, transport=transport)  # type: ignore[arg-type]
        if user:
            self.mqtt.username_pw_set(user, password)
        if ca is not None:
            self.mqtt.tls_set(ca_certs=str(ca))
        self._subacks = 0
        self.mqtt.on_connect = self._on_connect
        self.mqtt.on_message = self._on_message
        self.mqtt.on_subscribe = self._on_subscribe
        wait_for(lambda: self._try_connect(port), WAIT_S, f"a listener on port {port}", poll_s=0.1)
        self.mqtt.loop_start()
        wait_for(lambda: self.rc is not None, WAIT_S, "CONNACK", poll_s=0.1)

    def _try_connect(self, port: int) -> bool:
        try:
            self.mqtt.connect("127.0.0.1", port, keepalive=10)
        except ConnectionRefusedError:
            return False
        return True

    def _on_connect(self, _c: object, _u: object, _f: object, rc: object, _p: object) -> None:
        self.rc = int(getattr(rc, "value", 1))

    def _on_subscribe(self, *_args: object) -> None:
        with self._lock:
            self._subacks += 1

    def subscribe(self, topic: str) -> None:
        """Subscribe and wait for the SUBACK, so what is published next is delivered."""
        with self._lock:
            expected = self._subacks + 1
        self.mqtt.subscribe(topic, qos=1)
        wait_for(lambda: self._subacks >= expected, WAIT_S, f"SUBACK for {topic}", poll_s=0.1)

    def _on_message(self, _c: object, _u: object, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((message.topic, bytes(message.payload)))

    def topics(self) -> set[str]:
        with self._lock:
            return {topic for topic, _ in self.messages}

    def close(self) -> None:
        self.mqtt.loop_stop()
        self.mqtt.disconnect()


Start = Callable[[list[str]], None]


def listening_hosts(*ports: int) -> set[str]:
    """Local addresses with a TCP listener on any of ``ports`` (from ``ss``)."""
    lines = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True, timeout=10,
                           check=True).stdout.splitlines()
    local = [line.split()[3] for line in lines if line.split()]
    found = [a.rsplit(":", 1) for a in local if a.rsplit(":", 1)[-1] in {str(p) for p in ports}]
    assert {port for _, port in found} == {str(p) for p in ports}, lines
    return {host for host, _ in found}


def test_mosquitto_serves_device_acl_and_websockets(converged: Converge, daemon: Start) -> None:
    exec_start_pre(converged.root, "mosquitto.service")
    daemon(["/usr/sbin/mosquitto", "-c", "/etc/mosquitto/mosquitto.conf"])
    ports = converged.ports
    watcher = Client(ports["ws"], "reader", READER_PASSWORD, transport="websockets")  # browser path
    anonymous = Client(ports["ws"], transport="websockets")
    device = Client(ports["mqtt"], HOST, MQTT_PASSWORD)
    controller = Client(ports["mqtt"], "controller", CONTROLLER_PASSWORD)
    intruder = Client(ports["mqtt"], HOST, "wrong password")
    try:
        assert (watcher.rc, device.rc, controller.rc) == (0, 0, 0)
        # today_feeling_mosquitto_bind_interface = lo: every listener, TLS ones too, on loopback only
        hosts = listening_hosts(ports["mqtt"], ports["ws"], ports["mqtts"], ports["wss"])
        assert hosts <= {"127.0.0.1", "[::1]", "[::ffff:127.0.0.1]"}, hosts
        assert intruder.rc != 0
        assert anonymous.rc != 0  # the role refuses anonymous clients by default
        watcher.subscribe("#")
        device.mqtt.publish(f"today_feeling/{HOST}/availability", "online", qos=1, retain=True)
        device.mqtt.publish("today_feeling/otherdevice/availability", "online", qos=1)
        controller.mqtt.publish(f"today_feeling/{HOST}/privacy/set", "ON", qos=1)
        watcher.mqtt.publish(f"today_feeling/{HOST}/privacy/set", "OFF", qos=1)
        wait_for(lambda: f"today_feeling/{HOST}/availability" in watcher.topics(), WAIT_S,
                 "availability", poll_s=0.1)
        device.subscribe(f"today_feeling/{HOST}/+/set")
        controller.mqtt.publish(f"today_feeling/{HOST}/volume/set", "40", qos=1)
        wait_for(lambda: f"today_feeling/{HOST}/volume/set" in device.topics(), WAIT_S,
                 "a command", poll_s=0.1)
        # Denied writes are dropped silently by mosquitto: none of them may have arrived.
        assert "today_feeling/otherdevice/availability" not in watcher.topics()
        assert (f"today_feeling/{HOST}/privacy/set", b"OFF") not in watcher.messages
    finally:
        for client in (watcher, anonymous, device, controller, intruder):
            client.close()


def test_the_tls_listeners_serve_the_role_s_certificate(converged: Converge, daemon: Start) -> None:
    exec_start_pre(converged.root, "mosquitto.service")
    daemon(["/usr/sbin/mosquitto", "-c", "/etc/mosquitto/mosquitto.conf"])
    ca = converged.certs.ca
    reader = Client(converged.ports["mqtts"], "reader", READER_PASSWORD, ca=ca)
    browser = Client(converged.ports["wss"], "reader", READER_PASSWORD, transport="websockets", ca=ca)
    anonymous = Client(converged.ports["mqtts"], ca=ca)
    try:
        assert (reader.rc, browser.rc) == (0, 0)  # the certificate verifies against the CA
        assert anonymous.rc != 0  # TLS does not replace the login
    finally:
        for client in (reader, browser, anonymous):
            client.close()
    key = converged.root / "etc/mosquitto/certs/today-feeling.key"
    assert oct(key.stat().st_mode & 0o777) == "0o640"


def test_mpd_listens_on_the_configured_port(converged: Converge, daemon: Start) -> None:
    result = subprocess.run(["systemd-tmpfiles", f"--root={converged.root}", "--create", "mpd.conf"],
                            check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    daemon(["/usr/bin/mpd", "--no-daemon", "/etc/mpd.conf"])
    client = mpd.MPDClient()
    client.timeout = 5

    def connected() -> bool:
        try:
            client.connect("127.0.0.1", converged.ports["mpd"])
        except ConnectionRefusedError:
            return False
        return True

    wait_for(connected, WAIT_S, "MPD", poll_s=0.1)
    try:
        assert client.status()["state"] == "stop"
        assert any(o["outputname"] == "Speaker" for o in client.outputs())
    finally:
        client.disconnect()
