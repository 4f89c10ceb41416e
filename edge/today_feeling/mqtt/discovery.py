"""Home Assistant device-based MQTT discovery, built as data (pure, testable without a broker).

One retained message on ``<discovery_prefix>/device/<device>/config`` declares the
device and all its entities ("cmps"), so Home Assistant groups them under one device
and removing the message removes them all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from today_feeling import __version__
from today_feeling.domain.controls import MODES
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.mqtt.topics import Topics

ORIGIN_NAME = "today-feeling"
#: Anything but "online" (the last will "offline", a clean "stopped") means unavailable.
AVAILABILITY_TEMPLATE = "{{ 'online' if value == 'online' else 'offline' }}"
STATE_TEMPLATE = "{{ value_json.state }}"


@dataclass(frozen=True)
class DiscoveryMessage:
    """What to publish: topic, JSON-able payload, retained."""

    topic: str
    payload: dict[str, Any]
    retain: bool = True


#: The select option meaning "no profile" (the state topic says the same).
NO_PROFILE_OPTION = "none"

#: What Home Assistant's text box accepts: "off" or HH:MM-HH:MM (the device re-checks ranges).
QUIET_HOURS_PATTERN = r"^(off|[0-2]?\d:[0-5]\d-[0-2]?\d:[0-5]\d)$"


def _sensors(t: Topics, emotion_expire_s: int) -> dict[str, dict[str, Any]]:
    track_name = ("{{ ((value_json.artist ~ ' - ' ~ value_json.title) if value_json.title "
                  "else value_json.file)[:255] }}")
    return {
        "emotion": {
            "p": "sensor", "name": "Emotion", "icon": "mdi:emoticon-outline",
            "device_class": "enum", "options": [*EMOTIONS, "nobody", "privacy"],
            "state_topic": t.topic("emotion"), "value_template": "{{ value_json.label or 'nobody' }}",
            "json_attributes_topic": t.topic("emotion"),
            "json_attributes_template": "{{ (value_json.probs or {}) | tojson }}",
            "expire_after": emotion_expire_s,
        },
        "mood": {
            "p": "sensor", "name": "Mood", "icon": "mdi:emoticon-happy-outline",
            "device_class": "enum", "options": list(EMOTIONS),
            "state_topic": t.topic("mood"), "value_template": "{{ value_json.mood }}",
            "json_attributes_topic": t.topic("mood"),
        },
        "track": {
            "p": "sensor", "name": "Track", "icon": "mdi:music",
            "state_topic": t.topic("track"), "value_template": track_name,
            "json_attributes_topic": t.topic("track"),
        },
        "library": {
            "p": "sensor", "name": "Library scan", "icon": "mdi:music-box-multiple",
            "unit_of_measurement": "%", "entity_category": "diagnostic",
            "state_topic": t.topic("library"), "value_template": "{{ value_json.percent }}",
            "json_attributes_topic": t.topic("library"),
        },
    }


def _controls(t: Topics) -> dict[str, dict[str, Any]]:
    switch = {"p": "switch", "payload_on": "ON", "payload_off": "OFF",
              "state_on": "ON", "state_off": "OFF", "value_template": STATE_TEMPLATE}
    return {
        "privacy": {**switch, "name": "Privacy", "icon": "mdi:cctv-off",
                    "state_topic": t.state("privacy"), "command_topic": t.command("privacy")},
        "paused": {**switch, "name": "Pause", "icon": "mdi:pause",
                   "state_topic": t.state("paused"), "command_topic": t.command("paused")},
        "mode": {"p": "select", "name": "Music mode", "icon": "mdi:tune", "options": list(MODES),
                 "state_topic": t.state("mode"), "command_topic": t.command("mode"),
                 "value_template": STATE_TEMPLATE},
        "next": {"p": "button", "name": "Next track", "icon": "mdi:skip-next",
                 "command_topic": t.command("next"), "payload_press": "PRESS"},
        "like": {"p": "button", "name": "Like this track", "icon": "mdi:thumb-up",
                 "command_topic": t.command("feedback"), "payload_press": "UP"},
        "dislike": {"p": "button", "name": "Dislike this track", "icon": "mdi:thumb-down",
                    "command_topic": t.command("feedback"), "payload_press": "DOWN"},
        "quiet_hours": {"p": "text", "name": "Quiet hours", "icon": "mdi:sleep",
                        "pattern": QUIET_HOURS_PATTERN, "min": 2, "max": 11,
                        "state_topic": t.state("quiet_hours"), "command_topic": t.command("quiet_hours"),
                        "value_template": STATE_TEMPLATE},
        "profile": {"p": "select", "name": "Listener", "icon": "mdi:account-heart",
                    "options": [NO_PROFILE_OPTION], "state_topic": t.state("profile"),
                    "command_topic": t.command("profile"), "value_template": STATE_TEMPLATE},
        "correction": {"p": "select", "name": "I'm feeling", "icon": "mdi:account-edit",
                       "options": list(EMOTIONS), "command_topic": t.command("correction"),
                       "optimistic": True},
        "correction_undo": {"p": "button", "name": "Undo last correction", "icon": "mdi:undo",
                            "command_topic": t.command("correction_undo"), "payload_press": "LAST"},
        "volume": {"p": "number", "name": "Volume", "icon": "mdi:volume-high",
                   "min": 0, "max": 100, "step": 1, "mode": "slider",
                   "unit_of_measurement": "%", "state_topic": t.state("volume"),
                   "command_topic": t.command("volume"), "value_template": STATE_TEMPLATE},
    }


def components(t: Topics, emotion_expire_s: int = 60) -> dict[str, dict[str, Any]]:
    """Every entity, keyed by component id, each with a unique id derived from the device."""
    cmps = {**_sensors(t, emotion_expire_s), **_controls(t)}
    for cid, cmp in cmps.items():
        cmp["unique_id"] = f"today_feeling_{t.device}_{cid}"
        cmp["qos"] = 1  # per component: Home Assistant ignores the device-level qos (HA issue 170166)
    return cmps


def discovery_message(
    topics: Topics, device_name: str, emotion_expire_s: int = 60,
    configuration_url: str | None = None,
) -> DiscoveryMessage:
    """The one retained device discovery message for this device."""
    device: dict[str, Any] = {
        "identifiers": [f"today_feeling_{topics.device}"],
        "name": device_name,
        "manufacturer": "Today Feeling project",
        "model": "Today Feeling ambient speaker",
        "sw_version": __version__,
    }
    if configuration_url:
        device["configuration_url"] = configuration_url
    payload: dict[str, Any] = {
        "device": device,
        "origin": {"name": ORIGIN_NAME, "sw_version": __version__},
        "availability": [{"topic": topics.availability, "value_template": AVAILABILITY_TEMPLATE}],
        "qos": 1,
        "cmps": components(topics, emotion_expire_s),
    }
    return DiscoveryMessage(topics.discovery_config, payload)


def with_profile_options(message: DiscoveryMessage, names: list[str]) -> DiscoveryMessage:
    """The same discovery with the Listener select offering ``names`` (and none)."""
    cmps = dict(message.payload["cmps"])
    cmps["profile"] = {**cmps["profile"], "options": [NO_PROFILE_OPTION, *names]}
    return replace(message, payload={**message.payload, "cmps": cmps})
