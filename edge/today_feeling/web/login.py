"""Who may read the dashboard's data: the broker's own users, checked by logging in to it.

Why the broker: it already holds the household's list of who may watch (reader) and control
(controller), with hashed passwords and ACLs; a second password list here would drift from it.
The page sends the same user and password it uses for MQTT (HTTP Basic); a login the broker
accepts is remembered for a few minutes (by a hash, never the password), and failed attempts
are rate-limited so the endpoint cannot be used to guess passwords at network speed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from today_feeling.checks import Check
from today_feeling.config.mqtt import MqttSettings
from today_feeling.mqtt.check import try_login
from today_feeling.mqtt.connection import BrokerAddress

#: A login the broker accepted is trusted this long without asking it again; a refused one is
#: refused this long without asking (a flood of requests must not become a flood of logins).
REMEMBER_S, REFUSED_S = 300.0, 30.0
#: At most this many refused logins per window from one address before its checks stop (per
#: address: a guesser on the LAN must not lock the household out of its own dashboard).
MAX_FAILURES, FAILURE_WINDOW_S = 10, 60.0
LOGIN_TIMEOUT_S = 3.0

#: (address with the person's login, settings, timeout, topic the login must be able to read)
Login = Callable[[BrokerAddress, MqttSettings, float, str], Check]


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(user, password) from an ``Authorization: Basic …`` header, or None."""
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, sep, password = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep and user else None


class BrokerLogins:
    """``allowed(header)``: True when the broker accepts the header's user and password and lets
    that login read ``read_topic`` (the device's retained mood: what the history is made of)."""

    def __init__(self, address: BrokerAddress, settings: MqttSettings, read_topic: str, *,
                 login: Login = try_login, clock: Callable[[], float] = time.monotonic) -> None:
        self._address, self._login, self._clock = address, login, clock
        self._read_topic = read_topic
        # A person logs in with a password only: the daemon's client certificate must not vouch
        # for them (a broker with use_identity_as_username would accept any password with it).
        self._people_settings = replace(settings, cert_file="", key_file="")
        self._lock = threading.Lock()
        self._remembered: dict[str, float] = {}
        self._refused: dict[str, float] = {}
        self._failures: dict[str, list[float]] = {}

    def allowed(self, header: str | None, remote: str = "") -> bool:
        """No header asks as anonymous: a broker that admits anonymous readers shares its data
        with them anyway, so the dashboard is exactly as open as the broker, never more."""
        credentials = basic_credentials(header) if header else ("", "")
        if credentials is None:
            return False
        key = hashlib.sha256("\0".join(credentials).encode()).hexdigest()
        now = self._clock()
        with self._lock:
            if self._remembered.get(key, 0.0) > now:
                return True
            if self._refused.get(key, 0.0) > now:
                return False
            since = now - FAILURE_WINDOW_S
            self._failures = {a: [t for t in ts if t > since] for a, ts in self._failures.items()
                              if ts[-1] > since}  # forget quiet addresses: bounded memory
            if len(self._failures.get(remote, ())) >= MAX_FAILURES:
                return False
        user, password = credentials
        login = self._login(replace(self._address, username=user or None, password=password or None),
                            self._people_settings, LOGIN_TIMEOUT_S, self._read_topic)
        with self._lock:
            if login.ok:
                self._remembered[key] = now + REMEMBER_S
            elif ": refused:" in login.detail:  # a broker that is down refuses nobody's password
                self._failures.setdefault(remote, []).append(now)
                self._refused = {k: t for k, t in self._refused.items() if t > now}
                self._refused[key] = now + REFUSED_S
        return login.ok
