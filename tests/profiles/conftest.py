"""Real mosquitto fixtures for the profile tests that run the daemon."""

from tests.fixtures.broker import broker, make_broker  # noqa: F401
