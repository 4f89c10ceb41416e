"""Broker address, credentials and TLS from the settings, applied to a paho client.

Secrets never live in the config: the password comes from ``mqtt.password_file`` or,
under systemd, from the credential ``mqtt-password`` (``LoadCredential=``).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from today_feeling.config.mqtt import MqttSettings
from today_feeling.errors import ConfigError
from today_feeling.secret_file import first_line

logger = logging.getLogger(__name__)

CREDENTIAL_NAME = "mqtt-password"
DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}


@dataclass(frozen=True)
class BrokerAddress:
    """Where to connect and as whom (the password is kept out of ``repr``)."""

    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None = None

    def __repr__(self) -> str:
        secret = "***" if self.password else None
        return (f"BrokerAddress(host={self.host!r}, port={self.port}, tls={self.tls}, "
                f"username={self.username!r}, password={secret})")

    @property
    def display(self) -> str:
        scheme = "mqtts" if self.tls else "mqtt"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def password_source(settings: MqttSettings, environ: Mapping[str, str]) -> Path | None:
    """The file the password comes from: password_file, else the systemd credential."""
    if settings.password_file:
        return Path(settings.password_file)
    cred_dir = environ.get("CREDENTIALS_DIRECTORY")
    if cred_dir and (Path(cred_dir) / CREDENTIAL_NAME).is_file():
        return Path(cred_dir) / CREDENTIAL_NAME
    return None


def read_password(path: Path) -> str:
    """The MQTT password file's secret; ConfigError says what to fix."""
    try:
        return first_line(path, "MQTT password")
    except ValueError as err:
        raise ConfigError("mqtt.password_file", str(err)) from err


def broker_address(settings: MqttSettings, environ: Mapping[str, str] | None = None
                   ) -> BrokerAddress:
    """Resolve ``settings.url`` (validated by MqttSettings) plus user and password."""
    env = os.environ if environ is None else environ
    parts = urlsplit(settings.url)
    username = settings.username or (unquote(parts.username) if parts.username else None)
    source = password_source(settings, env)
    password = read_password(source) if source is not None else None
    if password is not None and username is None:
        raise ConfigError("mqtt.username", "a password is configured but no user name "
                          "(set mqtt.username or mqtt://USER@HOST)")
    return BrokerAddress(
        host=parts.hostname or "",
        port=parts.port or DEFAULT_PORTS[parts.scheme],
        tls=parts.scheme == "mqtts",
        username=username,
        password=password,
    )


def configure_client(client: mqtt.Client, address: BrokerAddress, settings: MqttSettings) -> None:
    """Credentials, TLS and reconnect backoff on a fresh paho client."""
    if address.username is not None:
        client.username_pw_set(address.username, address.password)
    if address.tls:
        for key in ("ca_file", "cert_file", "key_file"):
            path = getattr(settings, key)
            if path and not Path(path).is_file():
                raise ConfigError(f"mqtt.{key}", f"{path} does not exist")
        client.tls_set(
            ca_certs=settings.ca_file or None,
            certfile=settings.cert_file or None,
            keyfile=settings.key_file or None,
        )
    client.reconnect_delay_set(settings.reconnect_min_s, settings.reconnect_max_s)  # type: ignore[arg-type]
    client.on_socket_open = _no_delay


#: The largest packet the daemon accepts from the broker (MQTT 5 Maximum Packet Size): a broker
#: without a limit of its own still cannot push a huge message into the daemon's memory.
MAX_PACKET_BYTES = 65536


def connect_properties() -> Properties:
    """CONNECT properties: a clean session that ends with the connection, and our packet limit."""
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = 0
    properties.MaximumPacketSize = MAX_PACKET_BYTES
    return properties


def _no_delay(_client: mqtt.Client, _userdata: object, sock: object) -> None:
    """Small MQTT packets must not wait for Nagle's algorithm (a command's state answer
    otherwise waits for the broker's delayed ACK, tens of milliseconds)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # type: ignore[attr-defined]
    except (OSError, AttributeError):
        logger.debug("TCP_NODELAY not available on %r", sock)
