"""Broker address and credential resolution: URL defaults, password file, systemd credential."""

from __future__ import annotations

from pathlib import Path

import pytest

from today_feeling.config.mqtt import MqttSettings
from today_feeling.errors import ConfigError
from today_feeling.mqtt.connection import broker_address


def test_url_defaults_and_user_from_url() -> None:
    plain = broker_address(MqttSettings(url="mqtt://broker"), {})
    assert (plain.host, plain.port, plain.tls, plain.username, plain.password) == (
        "broker", 1883, False, None, None)
    tls = broker_address(MqttSettings(url="mqtts://bob@broker"), {})
    assert (tls.port, tls.tls, tls.username) == (8883, True, "bob")


def test_password_file_first_line(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("s3cret\nignored\n")
    settings = MqttSettings(url="mqtt://broker", username="dev", password_file=str(secret))
    address = broker_address(settings, {})
    assert address.password == "s3cret"
    assert "s3cret" not in repr(address)


def test_systemd_credential_is_used_when_no_file_is_configured(tmp_path: Path) -> None:
    (tmp_path / "mqtt-password").write_text("from-systemd")
    settings = MqttSettings(url="mqtt://dev@broker")
    address = broker_address(settings, {"CREDENTIALS_DIRECTORY": str(tmp_path)})
    assert address.password == "from-systemd"
    assert broker_address(settings, {"CREDENTIALS_DIRECTORY": str(tmp_path / "x")}).password \
        is None


@pytest.mark.parametrize("content", [None, ""])
def test_unreadable_or_empty_password_file_is_a_config_error(tmp_path: Path,
                                                             content: str | None) -> None:
    path = tmp_path / "pw"
    if content is not None:
        path.write_text(content)
    settings = MqttSettings(url="mqtt://u@broker", password_file=str(path))
    with pytest.raises(ConfigError, match="password"):
        broker_address(settings, {})


def test_password_without_user_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("x")
    with pytest.raises(ConfigError, match="username"):
        broker_address(MqttSettings(url="mqtt://broker", password_file=str(tmp_path / "pw")), {})
