"""Device ids: the configured id made canonical once, and any id made one safe topic level."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from today_feeling.identity import resolve_device_id, sanitize, topic_level


def test_a_configured_id_collapses_each_unsafe_run_to_one_dash() -> None:
    assert sanitize(" living room/+#speaker ") == "living-room-speaker"
    assert resolve_device_id("Kitchen #2") == "Kitchen-2"


def test_a_configured_id_with_nothing_usable_is_refused() -> None:
    with pytest.raises(ValueError, match="no usable characters"):
        sanitize("+/#")


def test_a_topic_level_replaces_each_unsafe_character_and_never_fails() -> None:
    assert topic_level("living room/+#") == "living_room___"
    assert topic_level("   ") == "unknown"
    assert topic_level(sanitize("Kitchen #2")) == "Kitchen-2"  # a canonical id passes unchanged


def test_without_a_configured_id_the_machine_id_is_hashed_not_published(tmp_path: Path) -> None:
    machine_id = tmp_path / "machine-id"
    machine_id.write_text("0123456789abcdef0123456789abcdef\n", encoding="ascii")
    first = resolve_device_id("", machine_id)
    assert re.fullmatch(r"tf-[0-9a-f]{8}", first)
    assert resolve_device_id("", machine_id) == first
    assert "0123456789abcdef" not in first
