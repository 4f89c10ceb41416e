"""Real mosquitto fixtures and a factory for MQTT services wired to a bus and Controls."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.fixtures.broker import broker, make_broker  # noqa: F401
from today_feeling.config.mqtt import MqttSettings
from today_feeling.config.settings import DeviceSettings, Settings
from today_feeling.domain.controls import Controls
from today_feeling.events import EventBus
from today_feeling.mqtt import MqttService, build_service

DEVICE = "testdev"
BASE = f"today_feeling/{DEVICE}"
FAST = {"reconnect_min_s": 0.1, "reconnect_max_s": 0.5, "keepalive_s": 5}


@dataclass
class Device:
    """One running MQTT service with the bus and Controls it talks to."""

    service: MqttService
    bus: EventBus
    controls: Controls
    actions: list[str] = field(default_factory=list)


DeviceFactory = Callable[..., Device]


@pytest.fixture
def make_device() -> Iterator[DeviceFactory]:
    """``make_device(url, **mqtt_settings)``: a started service; stopped at teardown."""
    started: list[MqttService] = []

    def factory(url: str, device_id: str = DEVICE, environ: dict[str, str] | None = None,
                **mqtt: Any) -> Device:
        settings = Settings(device=DeviceSettings(id=device_id),
                            mqtt=MqttSettings(url=url, **{**FAST, **mqtt}))
        bus, controls = EventBus(), Controls()
        service = build_service(settings, bus, controls, environ=environ or {})
        assert service is not None
        device = Device(service, bus, controls)
        controls.subscribe_actions(device.actions.append)
        service.start()
        started.append(service)
        return device

    yield factory
    for service in started:
        service.stop()
