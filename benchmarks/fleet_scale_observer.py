"""The fleet's consumer on ``today_feeling/#`` and one-shot readers of retained state.

Every message is identified by a hash of its topic and payload (payloads carry their own
``ts``, so two messages never share one); the devices record the same hash when they
publish, so loss is counted message by message, not by totals that could hide a swap.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

TOPICS = "today_feeling/#"
#: The retained topics whose loss after a broker restart would show a wrong fleet state.
CHECKED = ("availability", "mood", "track")
Auth = tuple[str, str] | None


def key_of(topic: str, payload: bytes) -> int:
    """A 64-bit signed identity of one message (fits ``array('q')``)."""
    digest = hashlib.blake2b(topic.encode() + b"\0" + payload, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _client(prefix: str, auth: Auth) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"{prefix}-{secrets.token_hex(4)}",
                         protocol=mqtt.MQTTv5)
    if auth is not None:
        client.username_pw_set(*auth)
    return client


def payload_ts(payload: bytes) -> float:
    """The payload's own ``ts`` (when the device observed the fact), NaN if it has none."""
    if not payload.startswith(b"{"):
        return float("nan")
    try:
        value = json.loads(payload).get("ts")
    except ValueError:
        return float("nan")
    return float(value) if isinstance(value, int | float) else float("nan")


class Observer:
    """Subscribes to every device's topics with QoS 1 and notes each message's arrival."""

    def __init__(self, host: str, port: int, auth: Auth = None) -> None:
        self._host, self._port = host, port
        self.received: list[tuple[int, float, float]] = []  # (key, time received, payload ts)
        self.subscribed = threading.Event()
        self.client = _client("fleet-observer", auth)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *_a: self.subscribed.set()
        self.client.on_message = self._on_message

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        if not rc.is_failure:
            client.subscribe(TOPICS, qos=1)

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        now, payload = time.time(), bytes(msg.payload)
        self.received.append((key_of(msg.topic, payload), now, payload_ts(payload)))

    def start(self, timeout: float = 10.0) -> Observer:
        self.client.connect(self._host, self._port, keepalive=60)
        self.client.loop_start()
        if not self.subscribed.wait(timeout):
            self.stop()
            raise TimeoutError(f"observer not subscribed after {timeout}s")
        return self

    def wait_quiet(self, quiet_s: float = 1.5, timeout: float = 30.0) -> float:
        """Wait until nothing arrived for ``quiet_s`` (bounded); returns the seconds waited."""
        start = time.monotonic()
        seen, since = len(self.received), time.monotonic()
        while time.monotonic() - start < timeout:
            time.sleep(0.1)
            if len(self.received) != seen:
                seen, since = len(self.received), time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                break
        return time.monotonic() - start

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def retained_snapshot(host: str, port: int, expected: int, auth: Auth = None,
                      timeout: float = 20.0) -> dict[str, bytes]:
    """The retained ``availability``, ``mood`` and ``track`` of every device, as a fresh client
    sees them: returns once ``expected`` topics arrived or after ``timeout``/quiet."""
    found: dict[str, bytes] = {}
    subscribed = threading.Event()
    client = _client("fleet-checker", auth)

    def on_connect(c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        if not rc.is_failure:
            c.subscribe([(f"today_feeling/+/{name}", 1) for name in CHECKED])

    def on_message(_c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        if msg.retain:
            found[msg.topic] = bytes(msg.payload)

    client.on_connect, client.on_message = on_connect, on_message
    client.on_subscribe = lambda *_a: subscribed.set()
    client.connect(host, port, keepalive=60)
    client.loop_start()
    try:
        deadline = time.monotonic() + timeout
        subscribed.wait(timeout)
        last, since = -1, time.monotonic()
        while len(found) < expected and time.monotonic() < deadline:
            time.sleep(0.05)
            if len(found) != last:
                last, since = len(found), time.monotonic()
            elif time.monotonic() - since > 2.0:  # retained messages come at once after SUBACK
                break
    finally:
        client.disconnect()
        client.loop_stop()
    return dict(found)


def compare_retained(found: dict[str, bytes], expected: dict[str, bytes],
                     availability: bytes | None = None) -> dict[str, Any]:
    """Which expected retained topics are missing or hold something else than last published;
    ``availability``: what every device's availability must say instead (e.g. its will)."""
    if availability is not None:
        expected = {t: availability if t.endswith("/availability") else p for t, p in expected.items()}
    missing = sorted(t for t in expected if t not in found)
    differ = sorted(t for t in expected if t in found and found[t] != expected[t])
    said: dict[str, int] = {}
    for topic, payload in found.items():
        if topic.endswith("/availability"):
            value = payload.decode(errors="replace")
            said[value] = said.get(value, 0) + 1
    return {"expected": len(expected), "found": sum(t in found for t in expected),
            "missing": len(missing), "differ": len(differ), "complete": not missing and not differ,
            "examples": (missing + differ)[:5], "availability": said}
