"""The music settings: validation naming the key, defaults, and their place in the example config."""

from __future__ import annotations

import pytest
import tomllib

from tests.support.example_config import declared_settings, shown_settings
from today_feeling.config import example_config
from today_feeling.config.music import DirectorSettings, MpdSettings
from today_feeling.config.schema import parse_section
from today_feeling.config.settings import Settings
from today_feeling.errors import ConfigError


@pytest.mark.parametrize("bad", ["genre=metal", "genre~metal=rage", "~x=anger", "genre~=sad"])
def test_bad_tag_rule_is_a_config_error_naming_the_key(bad: str) -> None:
    with pytest.raises(ConfigError, match="director"):
        parse_section(Settings, {"director": {"tag_rules": [bad]}})


@pytest.mark.parametrize(("name", "cls"), [("mpd", MpdSettings), ("director", DirectorSettings)])
def test_example_config_documents_every_music_field(name: str, cls: type[object]) -> None:
    text = example_config()
    shown = shown_settings(text)
    for key, doc in declared_settings(cls, name).items():
        assert key in shown, f"{key} is missing from the example"
        assert shown[key].comment.startswith(f"# {doc}"), key
    assert parse_section(cls, tomllib.loads(text)[name]) == cls()  # shown at its default


def test_director_defaults_to_match_and_mpd_retry_bounds_are_checked() -> None:
    assert DirectorSettings().mode == "match"
    with pytest.raises(ConfigError, match="retry_max_s"):
        parse_section(Settings, {"mpd": {"retry_initial_s": 5, "retry_max_s": 1}})
