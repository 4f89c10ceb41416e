"""Settings for the MQTT client and Home Assistant discovery (issue 5 extends these)."""

from __future__ import annotations

from dataclasses import dataclass

from today_feeling.config.schema import setting


@dataclass(frozen=True)
class MqttSettings:
    """Broker connection."""

    url: str = setting("", "Broker URL mqtt://HOST[:PORT] or mqtts://...; empty disables MQTT")
