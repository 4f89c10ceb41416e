"""Rules, config validation, addresses, volume ramp: small pure pieces."""

from __future__ import annotations

import pytest

from today_feeling.config.addresses import Address, parse_address
from today_feeling.config.music import DirectorSettings
from today_feeling.config.schema import parse_section
from today_feeling.config.settings import Settings
from today_feeling.domain.tag_rules import explicit_emotions, parse_tag_rules, playlist_emotion
from today_feeling.errors import ConfigError
from today_feeling.music.volume import VolumeRamp


def test_tag_rules_match_case_insensitively_and_accept_aliases() -> None:
    rules = parse_tag_rules(["genre~metal=angry", "comment~rainy day=sad,calm"])
    assert explicit_emotions("a", {"genre": "Death Metal"}, rules, {}) == (("anger",), "tag")
    assert explicit_emotions("b", {"comment": ["x", "A Rainy Day"]}, rules, {}) == (
        ("sadness", "neutral"), "tag")
    assert explicit_emotions("c", {"genre": "Pop"}, rules, {}) == ((), "")
    # a per-emotion playlist wins over tags
    assert explicit_emotions("a", {"genre": "metal"}, rules, {"a": ("happiness",)}) == (
        ("happiness",), "playlist")


@pytest.mark.parametrize("bad", ["genre=metal", "genre~metal=rage", "~x=anger", "genre~=sad"])
def test_bad_tag_rule_is_a_config_error_naming_the_key(bad: str) -> None:
    with pytest.raises(ConfigError, match="director"):
        parse_section(Settings, {"director": {"tag_rules": [bad]}})


def test_playlist_names() -> None:
    assert playlist_emotion("mood-Sad", "mood-") == "sadness"
    assert playlist_emotion("mood-party", "mood-") is None
    assert playlist_emotion("mood-happiness", "") is None


def test_example_config_documents_every_music_field() -> None:
    assert DirectorSettings().mode == "match"
    with pytest.raises(ConfigError, match="retry_max_s"):
        parse_section(Settings, {"mpd": {"retry_initial_s": 5, "retry_max_s": 1}})


@pytest.mark.parametrize(("text", "expected"), [
    ("localhost:6600", Address("localhost", 6600)),
    ("mpd.lan", Address("mpd.lan", 6600)),
    ("[::1]:6601", Address("::1", 6601)),
    ("/run/mpd/socket", Address("/run/mpd/socket", None)),
])
def test_addresses(text: str, expected: Address) -> None:
    assert parse_address(text) == expected


def test_volume_ramp_is_linear_and_ends_on_target() -> None:
    now = [0.0]
    ramp = VolumeRamp(2.0, lambda: now[0])
    ramp.observe(20)
    ramp.set_target(60)
    levels = []
    while ramp.active:
        now[0] += 0.5
        level = ramp.step()
        if level is not None:
            levels.append(level)
    assert levels == [30, 40, 50, 60]
    ramp.set_target(60)
    assert not ramp.active  # already there
