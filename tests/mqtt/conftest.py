"""Real mosquitto fixtures for the MQTT tests."""

from tests.fixtures.broker import broker, make_broker  # noqa: F401
