"""One way to read a secret file, two ways to fail: a bad config (MQTT) or a retry (MPD)."""

from __future__ import annotations

from pathlib import Path

import pytest

from today_feeling.errors import ConfigError
from today_feeling.mqtt.connection import read_password as mqtt_password
from today_feeling.music.connection import MpdUnavailableError
from today_feeling.music.connection import read_password as mpd_password
from today_feeling.secret_file import first_line


def test_the_first_line_is_the_secret_without_its_line_ending(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(b"p4ss word \r\nsecond line\n")
    assert first_line(secret, "password") == "p4ss word "
    assert mqtt_password(secret) == mpd_password(str(secret)) == "p4ss word "


def test_missing_or_empty_files_name_the_file_and_the_key(tmp_path: Path) -> None:
    empty, missing = tmp_path / "empty", tmp_path / "missing"
    empty.write_text("\nlater\n")
    with pytest.raises(ValueError, match="empty; write the password on its first line"):
        first_line(empty, "password")
    with pytest.raises(ConfigError, match=r"mqtt\.password_file") as config_error:
        mqtt_password(missing)
    assert config_error.value.exit_code == 78 and "missing" in str(config_error.value)
    with pytest.raises(MpdUnavailableError, match=r"mpd\.password_file: .*empty"):
        mpd_password(str(empty))
    assert mpd_password("") is None
