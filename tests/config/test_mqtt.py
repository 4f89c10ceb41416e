"""The MQTT settings: accepted broker URLs, and the mistakes refused with the key named."""

from __future__ import annotations

import pytest

from today_feeling.config.mqtt import MqttSettings


@pytest.mark.parametrize("url", ["mqtt://broker", "mqtts://broker:8884", "mqtt://user@10.0.0.2:1883"])
def test_valid_urls(url: str) -> None:
    assert MqttSettings(url=url).url == url


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"url": "http://broker"}, "mqtt://"),
    ({"url": "mqtt://"}, "no host"),
    ({"url": "mqtt://u:secret@broker"}, "password"),
    ({"url": "mqtt://broker:99999"}, "port"),
    ({"topic_prefix": "a/+/b"}, "topic_prefix"),
    ({"topic_prefix": ""}, "topic_prefix"),
    ({"reconnect_min_s": 5.0, "reconnect_max_s": 1.0}, "reconnect_max_s"),
    ({"cert_file": "/c.pem"}, "key_file"),
    ({"ws_url": "http://x"}, "ws_url"),
])
def test_invalid_settings(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        MqttSettings(**kwargs)  # type: ignore[arg-type]
