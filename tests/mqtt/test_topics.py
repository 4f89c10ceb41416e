"""MQTT topics and client ids: prefix and device, command features, stable distinct ids."""

from __future__ import annotations

import re

import pytest

from today_feeling.identity import topic_level
from today_feeling.mqtt.topics import Topics, client_id_for


def test_topics_follow_prefix_and_device() -> None:
    t = Topics.create("today_feeling", "kitchen")
    assert t.availability == "today_feeling/kitchen/availability"
    assert t.command("privacy") == "today_feeling/kitchen/privacy/set"
    assert t.command_filter == "today_feeling/kitchen/+/set"
    assert t.discovery_config == "homeassistant/device/kitchen/config"
    assert t.ha_status == "homeassistant/status"


@pytest.mark.parametrize(("topic", "feature"), [
    ("today_feeling/kitchen/privacy/set", "privacy"),
    ("today_feeling/kitchen/bogus/set", "bogus"),
    ("today_feeling/kitchen/privacy", None),
    ("today_feeling/kitchen//set", None),
    ("today_feeling/other/privacy/set", None),
    ("today_feeling/kitchen/a/b/set", None),
])
def test_command_feature(topic: str, feature: str | None) -> None:
    assert Topics.create("today_feeling", "kitchen").command_feature(topic) == feature


def test_device_ids_are_sanitised_and_client_ids_stable_and_distinct() -> None:
    assert topic_level("living room/+#") == "living_room___"
    assert client_id_for("abc", "pw") == client_id_for("abc", "pw")  # stable across restarts
    assert re.fullmatch(r"today_feeling-abc-[0-9a-f]{10}", client_id_for("abc", "pw"))
    assert client_id_for("abc", "pw") != client_id_for("abd", "pw")
    assert client_id_for("abc", "pw") != client_id_for("abc", "other")  # unguessable without the secret
    long_a, long_b = "x" * 100 + "a", "x" * 100 + "b"
    assert len(client_id_for(long_a, "pw")) <= 64
    assert client_id_for(long_a, "pw") != client_id_for(long_b, "pw")
