"""Topic names for one device, derived once from the settings (pure, no I/O)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from today_feeling.identity import topic_level

#: Features that take commands on ``<base>/<feature>/set``.
COMMAND_FEATURES: tuple[str, ...] = ("privacy", "paused", "mode", "volume", "next", "feedback",
                                     "quiet_hours", "profile", "correction", "correction_undo",
                                     "profile_delete", "enrol")
#: Control-state topics (retained) under ``<base>/``.
STATE_FEATURES: tuple[str, ...] = ("privacy", "paused", "mode", "volume", "quiet_hours", "profile")

_MAX_CLIENT_ID = 64


def client_id_for(device_id: str, secret: str = "") -> str:
    """Stable per-device MQTT client id: ``today_feeling-<device>-<10 hex>``.

    Stable, so the broker replaces this device's stale session on reconnect (a dead connection's
    last will never lands after the new "online"), and two devices never disconnect each other.
    The suffix is an HMAC of the device id keyed with ``secret`` (the device's MQTT password, else
    its machine id): a broker takes over a session by client id alone, so a client id anyone on
    the broker could guess would let any login — even a read-only one — kick the device off.
    """
    digest = hmac.new(secret.encode(), device_id.encode(), hashlib.sha256).hexdigest()[:10]
    cid = f"today_feeling-{topic_level(device_id)}"
    if len(cid) + 11 > _MAX_CLIENT_ID:
        cid = f"{cid[: _MAX_CLIENT_ID - 24]}-{hashlib.sha256(device_id.encode()).hexdigest()[:12]}"
    return f"{cid}-{digest}"


@dataclass(frozen=True)
class Topics:
    """All topics of one device: ``<prefix>/<device>/<name>`` plus Home Assistant's."""

    prefix: str
    device: str
    discovery_prefix: str = "homeassistant"

    @classmethod
    def create(cls, prefix: str, device_id: str, discovery_prefix: str = "homeassistant") -> Topics:
        return cls(prefix.strip("/"), topic_level(device_id), discovery_prefix.strip("/"))

    @property
    def base(self) -> str:
        return f"{self.prefix}/{self.device}"

    def topic(self, name: str) -> str:
        return f"{self.base}/{name}"

    @property
    def availability(self) -> str:
        return self.topic("availability")

    def state(self, feature: str) -> str:
        return self.topic(feature)

    def command(self, feature: str) -> str:
        return self.topic(f"{feature}/set")

    @property
    def command_filter(self) -> str:
        """Subscription covering every command topic (and unknown ones, to log them)."""
        return self.topic("+/set")

    def command_feature(self, topic: str) -> str | None:
        """``privacy`` for ``<base>/privacy/set``; None when the topic is not a command topic."""
        head, suffix = f"{self.base}/", "/set"
        if not (topic.startswith(head) and topic.endswith(suffix)):
            return None
        name = topic[len(head): -len(suffix)]
        return name if name and "/" not in name else None

    @property
    def discovery_config(self) -> str:
        return f"{self.discovery_prefix}/device/{self.device}/config"

    @property
    def ha_status(self) -> str:
        return f"{self.discovery_prefix}/status"
