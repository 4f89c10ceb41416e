"""One-shot broker logins: ``today-feeling doctor``'s check of the daemon's own credentials, and
the dashboard's check of a person's (the broker's users are the one list of who may see what).
A real MQTT CONNECT with the configured TLS, so a wrong password is told apart from a broker that
is down."""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Mapping
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from today_feeling.checks import Check
from today_feeling.config.mqtt import MqttSettings
from today_feeling.config.settings import Settings
from today_feeling.errors import ConfigError
from today_feeling.mqtt.connection import BrokerAddress, broker_address, configure_client

logger = logging.getLogger(__name__)


def check_broker_login(settings: Settings, timeout: float = 5.0,
                       environ: Mapping[str, str] | None = None) -> Check:
    """The daemon's own login (doctor)."""
    try:
        address = broker_address(settings.mqtt, os.environ if environ is None else environ)
    except ConfigError as err:
        return Check("mqtt", False, str(err))
    return try_login(address, settings.mqtt, timeout)


def try_login(address: BrokerAddress, settings: MqttSettings, timeout: float = 5.0,
              read_topic: str | None = None) -> Check:
    """Connect once as ``address``'s user and disconnect. Never disturbs the
    running daemon, whose client id is its own (this one is random: it must never replace the
    daemon's session).

    With ``read_topic`` (a retained topic, the device's mood), the login must also
    receive it: an account the broker admits but whose ACL gives it none of the device's topics
    (another device's, a bridge's, anonymous with a narrow ACL) is refused, as the broker would
    refuse it the same data. Receiving is the only proof: mosquitto grants every SUBSCRIBE and
    filters by ACL at delivery."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2,
                         client_id=f"today_feeling-check-{secrets.token_hex(4)}")
    result: list[str] = []
    done, admitted = threading.Event(), threading.Event()

    def on_connect(c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        if rc.is_failure or read_topic is None:
            result.append("" if not rc.is_failure else f"refused: {rc}")
            done.set()
        else:
            admitted.set()
            c.subscribe(read_topic, qos=0)

    def on_message(_c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        if message.topic == read_topic and not result:
            result.append("")
            done.set()

    def on_connect_fail(_c: mqtt.Client, _u: Any) -> None:
        result.append("cannot connect (broker down, wrong host/port, or TLS failure)")
        done.set()

    client.on_connect, client.on_connect_fail = on_connect, on_connect_fail
    client.on_message = on_message
    try:
        configure_client(client, address, settings)
        client.connect_async(address.host, address.port, keepalive=10)
        client.loop_start()
        answered = done.wait(timeout)
    except (ConfigError, OSError, ValueError) as err:
        return Check("mqtt", False, f"{address.display}: {err}")
    finally:
        client.disconnect()
        client.loop_stop()
    if not answered and read_topic is not None and admitted.is_set():
        return Check("mqtt", False, f"{address.display}: refused: may not read {read_topic} (or the "
                                    "device has never published it to this broker)")
    if not answered:
        return Check("mqtt", False, f"{address.display}: no answer within {timeout:g}s")
    if result[0]:
        return Check("mqtt", False, f"{address.display}: {result[0]}")
    return Check("mqtt", True, f"{address.display}: connected as {address.username or 'anonymous'}")
