"""Home Assistant discovery: the device message, its components and per-device ids."""

from __future__ import annotations

import json
import re

from today_feeling.mqtt.discovery import discovery_message, with_profile_options
from today_feeling.mqtt.topics import Topics


def test_the_listener_select_learns_profile_names() -> None:
    message = discovery_message(Topics.create("today_feeling", "kitchen"), "Kitchen")
    assert message.payload["cmps"]["profile"]["options"] == ["none"]
    updated = with_profile_options(message, ["ana", "민지"])
    assert updated.payload["cmps"]["profile"]["options"] == ["none", "ana", "민지"]
    assert message.payload["cmps"]["profile"]["options"] == ["none"]  # the original is untouched


def test_discovery_message_has_device_origin_availability_and_components() -> None:
    message = discovery_message(Topics.create("today_feeling", "kitchen"), "Kitchen speaker")
    assert message.topic == "homeassistant/device/kitchen/config"
    assert message.retain
    p = message.payload
    assert {"device", "origin", "availability", "cmps"} <= set(p)
    assert p["device"]["identifiers"] == ["today_feeling_kitchen"]
    assert p["device"]["name"] == "Kitchen speaker"
    assert p["origin"]["name"] == "today-feeling"
    assert p["availability"][0]["topic"] == "today_feeling/kitchen/availability"
    platforms = {cid: c["p"] for cid, c in p["cmps"].items()}
    assert platforms == {"emotion": "sensor", "mood": "sensor", "track": "sensor",
                         "library": "sensor", "privacy": "switch", "paused": "switch",
                         "mode": "select", "next": "button", "like": "button",
                         "dislike": "button", "quiet_hours": "text", "volume": "number",
                         "profile": "select", "correction": "select",
                         "correction_undo": "button"}
    pattern = re.compile(p["cmps"]["quiet_hours"]["pattern"])
    assert pattern.match("off") and pattern.match("22:00-07:00") and not pattern.match("late")
    thumbs = {p["cmps"][c]["payload_press"] for c in ("like", "dislike")}
    assert thumbs == {"UP", "DOWN"}
    assert p["cmps"]["like"]["command_topic"] == "today_feeling/kitchen/feedback/set"
    ids = [c["unique_id"] for c in p["cmps"].values()]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("today_feeling_kitchen_") for i in ids)
    assert p["cmps"]["emotion"]["json_attributes_topic"] == "today_feeling/kitchen/emotion"
    assert p["cmps"]["mode"]["options"] == ["match", "lift", "off"]
    for c in p["cmps"].values():
        assert "command_topic" in c or "state_topic" in c
    json.dumps(p)  # serialisable


def test_discovery_ids_differ_between_devices() -> None:
    a = discovery_message(Topics.create("today_feeling", "a"), "A").payload["cmps"]
    b = discovery_message(Topics.create("today_feeling", "b"), "B").payload["cmps"]
    assert not {c["unique_id"] for c in a.values()} & {c["unique_id"] for c in b.values()}
