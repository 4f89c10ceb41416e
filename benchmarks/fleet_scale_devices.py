"""Simulated devices: each one is the daemon's real :class:`MqttService` on its own EventBus.

Nothing here speaks MQTT: events go onto each device's bus exactly as the camera pipeline,
mood engine, player and stats timer put them there, and the service does the rest (outbox,
throttling, retained state, availability with its last will, reconnection with backoff).
The only addition is a pass-through wrapper on each paho client's ``publish`` that notes
what was handed to the socket, so the observer's arrivals can be matched one by one.

Many devices share one process (paho's ``select()`` loop cannot use file descriptors past
1023 and each device holds three), a few processes share the machine.
"""

from __future__ import annotations

import contextlib
import heapq
import logging
import random
import threading
import time
from array import array
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import paho.mqtt.client as mqtt
from fleet_scale_events import EventMaker

from today_feeling.config.mqtt import MqttSettings
from today_feeling.domain.controls import Controls
from today_feeling.events import EventBus
from today_feeling.mqtt.connection import BrokerAddress
from today_feeling.mqtt.service import MqttService
from today_feeling.mqtt.topics import Topics, client_id_for

DEVICES_PER_PROCESS = 150
#: Periods in simulated seconds (real seconds = simulated / speed). The emotion and stats
#: feeds run 5 % slower than the service's throttle so that every reading is published as
#: it is made (the throttle's wait would otherwise count as transport latency).
EMOTION_INTERVAL_S, EMOTION_PERIOD_S = 1.0, 1.05   # MqttSettings.emotion_interval_s default
STATS_INTERVAL_S, STATS_PERIOD_S = 10.0, 10.5      # the daemon's STATS_PERIOD_S is 10 s
FIRST_MOOD_S, MOOD_EVERY_S = (5.0, 30.0), (30.0, 120.0)
TRACK_EVERY_S = (180.0, 240.0)


@dataclass(frozen=True)
class WorkerSpec:
    """What one worker process simulates."""

    host: str
    port: int
    devices: tuple[str, ...]
    speed: float
    seed: int
    passwords: dict[str, str] | None
    connect_timeout_s: float
    lifetime_s: float


class Sent:
    """What the devices of this process handed to paho, for matching with the observer."""

    def __init__(self) -> None:
        self.keys, self.times, self.qos = array("q"), array("d"), array("b")
        self.last_retained: dict[str, bytes] = {}
        self.published: dict[str, int] = {}  # by topic name under <base>/, the whole run
        self._lock = threading.Lock()

    def wrap(self, client: mqtt.Client, key_of: Callable[[str, bytes], int]) -> None:
        original = client.publish

        def publish(topic: str, payload: Any = None, qos: int = 0, retain: bool = False,
                    properties: Any = None) -> mqtt.MQTTMessageInfo:
            info = original(topic, payload, qos, retain, properties)
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                data = payload.encode() if isinstance(payload, str) else bytes(payload or b"")
                with self._lock:
                    self.keys.append(key_of(topic, data))
                    self.times.append(time.time())
                    self.qos.append(qos)
                    name = topic.rsplit("/", 1)[-1]
                    self.published[name] = self.published.get(name, 0) + 1
                    if retain:
                        self.last_retained[topic] = data
            return info

        setattr(client, "publish", publish)  # noqa: B010 - an instance attribute, paho unchanged


class SimDevice:
    """One device: bus, controls and the real MQTT service, with its own event timeline."""

    def __init__(self, device_id: str, spec: WorkerSpec, sent: Sent, rng: random.Random,
                 key_of: Callable[[str, bytes], int]) -> None:
        password = (spec.passwords or {}).get(device_id)
        scale = 1.0 / spec.speed
        settings = MqttSettings(url=f"mqtt://{spec.host}:{spec.port}", discovery=False,
                                emotion_interval_s=EMOTION_INTERVAL_S * scale,
                                stats_interval_s=STATS_INTERVAL_S * scale)
        address = BrokerAddress(spec.host, spec.port, tls=False,
                                username=device_id if password else None, password=password)
        self.bus, self.controls = EventBus(), Controls()
        self.service = MqttService(settings, address, Topics.create("today_feeling", device_id),
                                   client_id=client_id_for(device_id, password or "fleet-sim"),
                                   bus=self.bus, controls=self.controls)
        sent.wrap(self.service.client, key_of)
        self.events = EventMaker(rng)


class Feeder:
    """One thread puts every device's events on its bus at their (jittered) times."""

    def __init__(self, devices: list[SimDevice], speed: float, rng: random.Random) -> None:
        self._devices, self._speed, self._rng = devices, speed, rng
        self.lateness = array("d")
        self.fed = {"emotion": 0, "stats": 0, "mood": 0, "track": 0}
        self.stop = threading.Event()
        start = time.monotonic()
        first = {"emotion": (0.0, EMOTION_PERIOD_S), "stats": (0.0, STATS_PERIOD_S),
                 "mood": FIRST_MOOD_S, "track": TRACK_EVERY_S}
        self._heap = [(start + rng.uniform(*span) / speed, index, kind)
                      for index in range(len(devices)) for kind, span in first.items()]
        heapq.heapify(self._heap)
        self.thread = threading.Thread(target=self._run, name="fleet-feeder", daemon=True)

    def _period(self, kind: str) -> float:
        if kind == "emotion":
            return EMOTION_PERIOD_S / self._speed
        if kind == "stats":
            return STATS_PERIOD_S / self._speed
        return self._rng.uniform(*(MOOD_EVERY_S if kind == "mood" else TRACK_EVERY_S)) / self._speed

    def _run(self) -> None:
        while not self.stop.is_set() and self._heap:
            due, index, kind = self._heap[0]
            late = time.monotonic() - due
            if late < 0:
                self.stop.wait(min(-late, 0.2))
                continue
            heapq.heapreplace(self._heap, (due + self._period(kind), index, kind))
            device = self._devices[index]
            device.bus.publish(device.events.make(kind))
            self.fed[kind] += 1
            self.lateness.append(late)


def _wait_connected(devices: list[SimDevice], timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        up = sum(d.service.connected.is_set() for d in devices)
        if up == len(devices):
            return up
        time.sleep(0.1)
    return sum(d.service.connected.is_set() for d in devices)


def _report(sent: Sent, feeder: Feeder) -> dict[str, Any]:
    with sent._lock:
        return {"keys": sent.keys.tobytes(), "times": sent.times.tobytes(), "qos": sent.qos.tobytes(),
                "last_retained": dict(sent.last_retained), "fed": dict(feeder.fed),
                "published": dict(sent.published),
                "lateness": feeder.lateness.tobytes()}


def _stop_all(devices: list[SimDevice]) -> None:
    """Every service's ``stop()`` (each bounded at a few seconds), many at once."""
    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(lambda d: d.service.stop(), devices))


def worker_main(spec: WorkerSpec, conn: Connection) -> None:
    """Start the devices, say ``ready``, feed events; answer ``quiet``, ``report``, ``stop``."""
    import resource

    from fleet_scale_observer import key_of
    logging.basicConfig(level=logging.ERROR)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    rng, sent = random.Random(spec.seed), Sent()
    devices = [SimDevice(device_id, spec, sent, rng, key_of) for device_id in spec.devices]
    started = time.monotonic()
    for device in devices:
        device.service.start()
        device.bus.publish(device.events.track_changed())  # a track is playing from the start
    connected = _wait_connected(devices, spec.connect_timeout_s)
    feeder = Feeder(devices, spec.speed, rng)
    feeder.fed["track"] += len(devices)  # the start-up tracks
    feeder.thread.start()
    conn.send(("ready", {"connected": connected, "connect_s": time.monotonic() - started}))
    deadline = time.monotonic() + spec.lifetime_s
    try:
        while time.monotonic() < deadline:
            if not conn.poll(0.5):
                continue
            command = conn.recv()
            if command == "quiet":
                feeder.stop.set()
                feeder.thread.join(5.0)
                conn.send(("quiet", {}))
            elif command == "report":
                conn.send(("report", _report(sent, feeder)))
            elif command == "stop":
                break
    except (EOFError, OSError):
        pass  # the parent is gone: stop as the daemon would
    finally:
        feeder.stop.set()
        _stop_all(devices)
    with contextlib.suppress(OSError):
        conn.send(("stopped", {}))
