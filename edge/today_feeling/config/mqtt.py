"""Settings for the MQTT client and Home Assistant discovery (see docs/mqtt.md).

Only validation here: files named by these settings (password, certificates) are read
by the MQTT adapter when it starts, never while parsing the config.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from today_feeling.config.schema import setting

_TOPIC_LEVELS = re.compile(r"^[^#+/\x00]+(/[^#+/\x00]+)*$")


@dataclass(frozen=True)
class MqttSettings:
    """Broker connection, topics, rate limits and Home Assistant discovery."""

    url: str = setting(
        "", "Broker URL mqtt://[USER@]HOST[:PORT] (default port 1883) or mqtts://... (TLS, 8883); "
        "empty disables MQTT. Never put a password here: use password_file",
    )
    topic_prefix: str = setting(
        "today_feeling", "First topic level(s); topics are <topic_prefix>/<device.id>/<name>"
    )
    username: str = setting("", "User name for the broker (overrides one given in url)")
    password_file: str = setting(
        "", "File whose first line is the broker password; empty = the systemd credential "
        "$CREDENTIALS_DIRECTORY/mqtt-password when present, else no password",
    )
    ca_file: str = setting("", "CA bundle that signed the broker's certificate (mqtts://); "
                               "empty = the system's CAs")
    cert_file: str = setting("", "Client certificate (PEM) for brokers that require one; "
                                 "needs key_file")
    key_file: str = setting("", "Private key (PEM) of cert_file")
    keepalive_s: int = setting(
        30, "MQTT keepalive; the broker announces 'offline' about 1.5x this after the device "
        "vanishes silently", unit="seconds", min=5, max=3600,
    )
    reconnect_min_s: float = setting(
        1.0, "First wait before reconnecting to a broker that is down or refused us",
        unit="seconds", min=0.05, max=600,
    )
    reconnect_max_s: float = setting(
        60.0, "Longest wait between reconnect attempts (the wait doubles up to this)",
        unit="seconds", min=0.05, max=3600,
    )
    emotion_interval_s: float = setting(
        1.0, "At most one 'emotion' message per this interval (the latest reading wins)",
        unit="seconds", min=0.05, max=3600,
    )
    stats_interval_s: float = setting(
        30.0, "At most one 'stats' message per this interval", unit="seconds", min=1, max=86400,
    )
    max_command_bytes: int = setting(
        256, "Command payloads larger than this are ignored", unit="bytes", min=16, max=65536,
    )
    discovery: bool = setting(True, "Announce the device to Home Assistant (MQTT discovery)")
    discovery_prefix: str = setting(
        "homeassistant", "Home Assistant's discovery prefix (its MQTT integration setting)"
    )
    ws_url: str = setting(
        "", "MQTT-over-WebSockets URL the dashboard's browser connects to; empty = "
        "ws://<host the dashboard was loaded from>:9001",
    )

    def __post_init__(self) -> None:
        if self.url:
            _check_url(self.url)
        for name in ("topic_prefix", "discovery_prefix"):
            if not _TOPIC_LEVELS.match(getattr(self, name)):
                raise ValueError(f"mqtt.{name} must be topic levels without '+', '#' or "
                                 f"empty levels, got {getattr(self, name)!r}")
        if self.reconnect_max_s < self.reconnect_min_s:
            raise ValueError("mqtt.reconnect_max_s must be >= mqtt.reconnect_min_s")
        if bool(self.cert_file) != bool(self.key_file):
            raise ValueError("mqtt.cert_file and mqtt.key_file must be given together")
        if self.ws_url and urlsplit(self.ws_url).scheme not in ("ws", "wss"):
            raise ValueError(f"mqtt.ws_url must start with ws:// or wss://, got {self.ws_url!r}")


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts"):
        raise ValueError(f"mqtt.url must start with mqtt:// or mqtts://, got {url!r}")
    if not parts.hostname:
        raise ValueError(f"mqtt.url has no host: {url!r}")
    if parts.password is not None:
        raise ValueError("mqtt.url must not contain a password (the config may be world-readable);"
                         " put it in mqtt.password_file or the systemd credential mqtt-password")
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as err:
        raise ValueError(f"mqtt.url has an invalid port: {url!r}") from err
