"""One-shot broker check for ``today-feeling doctor``: a real MQTT CONNECT with the
configured credentials and TLS, so a wrong password is told apart from a broker that is down."""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Mapping
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from today_feeling.config.settings import Settings
from today_feeling.errors import ConfigError
from today_feeling.mqtt.connection import broker_address, configure_client

logger = logging.getLogger(__name__)


def check_broker_login(settings: Settings, timeout: float = 5.0,
                       environ: Mapping[str, str] | None = None) -> tuple[bool, str]:
    """(ok, detail): connect once and disconnect; never disturbs the running daemon, whose
    client id is its own (random: it must never replace the daemon's session)."""
    try:
        address = broker_address(settings.mqtt, os.environ if environ is None else environ)
    except ConfigError as err:
        return False, str(err)
    client = mqtt.Client(CallbackAPIVersion.VERSION2,
                         client_id=f"today_feeling-doctor-{secrets.token_hex(4)}")
    result: list[str] = []
    done = threading.Event()

    def on_connect(_c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        result.append("" if not rc.is_failure else f"refused: {rc}")
        done.set()

    def on_connect_fail(_c: mqtt.Client, _u: Any) -> None:
        result.append("cannot connect (broker down, wrong host/port, or TLS failure)")
        done.set()

    client.on_connect, client.on_connect_fail = on_connect, on_connect_fail
    try:
        configure_client(client, address, settings.mqtt)
        client.connect_async(address.host, address.port, keepalive=10)
        client.loop_start()
        answered = done.wait(timeout)
    except (ConfigError, OSError, ValueError) as err:
        return False, f"{address.display}: {err}"
    finally:
        client.disconnect()
        client.loop_stop()
    if not answered:
        return False, f"{address.display}: no answer within {timeout:g}s"
    if result[0]:
        return False, f"{address.display}: {result[0]}"
    return True, f"{address.display}: connected as {address.username or 'anonymous'}"
