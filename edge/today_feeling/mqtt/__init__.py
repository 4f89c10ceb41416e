"""MQTT events, commands and Home Assistant discovery (docs/mqtt.md).

The daemon calls :func:`build_service`; everything else in this package is pure
(topics, payloads, command parsing, discovery) except ``connection`` and ``service``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from today_feeling.config.settings import Settings
from today_feeling.domain.controls import Controls
from today_feeling.events import EventBus
from today_feeling.identity import machine_secret
from today_feeling.mqtt.connection import broker_address
from today_feeling.mqtt.discovery import discovery_message
from today_feeling.mqtt.service import MqttService
from today_feeling.mqtt.topics import Topics, client_id_for


def build_service(
    settings: Settings, bus: EventBus, controls: Controls,
    environ: Mapping[str, str] | None = None,
) -> MqttService | None:
    """The MQTT service, or None when ``mqtt.url`` is empty.

    Reads the password file (ConfigError when unreadable) but does not connect:
    ``start()`` connects in the background and keeps retrying.
    """
    cfg = settings.mqtt
    if not cfg.url:
        return None
    address = broker_address(cfg, os.environ if environ is None else environ)
    topics = Topics.create(cfg.topic_prefix, settings.device.id, cfg.discovery_prefix)
    discovery = None
    if cfg.discovery:
        expire = max(60, int(cfg.emotion_interval_s * 10))
        discovery = discovery_message(topics, settings.device.name, expire)
    secret = address.password or machine_secret()
    return MqttService(cfg, address, topics, client_id=client_id_for(settings.device.id, secret),
                       bus=bus, controls=controls, discovery=discovery)


__all__ = ["MqttService", "Topics", "build_service"]
