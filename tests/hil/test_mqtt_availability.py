"""Availability goes back to "online" after the broker restarts.

Uses the device's own broker (mosquitto managed by the role). The broker's persistence file is
deleted while it is down, so a stale retained "online" cannot pass the test: the daemon must
reconnect and publish it again. This drops every retained message on the rig's broker.
"""

from __future__ import annotations

import threading
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.hil.conftest import systemctl, wait_for
from today_feeling.config.settings import Settings
from today_feeling.mqtt.connection import broker_address
from today_feeling.mqtt.topics import Topics

BROKER = "mosquitto.service"
PERSISTENCE = Path("/var/lib/mosquitto/mosquitto.db")
CREDENTIAL = Path("/etc/today-feeling/credentials/mqtt-password")


class Watcher:
    """Subscribes to one topic and keeps its latest payload."""

    def __init__(self, settings: Settings, topic: str) -> None:
        address = broker_address(settings.mqtt, environ={})
        self.latest: str | None = None
        self._lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        if address.username:
            password = CREDENTIAL.read_text().splitlines()[0] if CREDENTIAL.is_file() else None
            self.client.username_pw_set(address.username, password)
        self.client.on_connect = lambda c, _u, _f, _rc, _p: c.subscribe(topic, qos=1)
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(1, 2)
        self.client.connect_async(address.host, address.port, keepalive=10)
        self.client.loop_start()

    def _on_message(self, _c: object, _u: object, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.latest = message.payload.decode(errors="replace")

    def value(self) -> str | None:
        with self._lock:
            return self.latest

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def test_availability_is_online_again_after_a_broker_restart(settings: Settings,
                                                             service_running: str) -> None:
    if not settings.mqtt.url:
        pytest.skip("mqtt.url is empty in the device config")
    if systemctl("cat", BROKER).returncode != 0:
        pytest.skip("no local mosquitto (today_feeling_mosquitto_manage: false): broker elsewhere")
    topic = Topics.create(settings.mqtt.topic_prefix, settings.device.id).availability
    reconnect_s = settings.mqtt.reconnect_max_s + 30
    watcher = Watcher(settings, topic)
    try:
        wait_for(lambda: watcher.value() == "online", 60, f"'online' on {topic} before the restart")
        systemctl("stop", BROKER)
        PERSISTENCE.unlink(missing_ok=True)
        with watcher._lock:
            watcher.latest = None
        systemctl("start", BROKER)
        wait_for(lambda: watcher.value() == "online", reconnect_s,
                 f"'online' on {topic} after the broker restart")
    finally:
        watcher.close()
        systemctl("start", BROKER)
