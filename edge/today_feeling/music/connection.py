"""Opening python-mpd2 connections from settings: TCP or Unix socket, optional password."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from mpd import ConnectionError as MpdConnectionError
from mpd import MPDClient, ProtocolError

from today_feeling.config.music import MpdSettings
from today_feeling.errors import EX_UNAVAILABLE, TodayFeelingError
from today_feeling.secret_file import first_line

logger = logging.getLogger(__name__)
# python-mpd2 logs every connect/disconnect at INFO; with reconnects and one short-lived
# connection per scan that floods the journal, so keep only its warnings.
logging.getLogger("mpd").setLevel(logging.WARNING)

#: Errors that mean "the connection is gone, reconnect" (python-mpd2's own ConnectionError
#: is not an OSError; a half-read reply after a crash shows up as ProtocolError).
CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    MpdConnectionError, ProtocolError, OSError, EOFError,
)


class MpdUnavailableError(TodayFeelingError):
    """MPD could not be reached or refused us (the message says what to check)."""

    exit_code = EX_UNAVAILABLE


@dataclass(frozen=True)
class Address:
    """Where MPD listens: ``host`` is a socket path when ``port`` is None."""

    host: str
    port: int | None

    def __str__(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"


def parse_address(text: str) -> Address:
    """'HOST:PORT', 'HOST' (port 6600), '[::1]:6600', '/run/mpd/socket' or '@abstract'."""
    text = text.strip()
    if text.startswith(("/", "@", "~")):
        return Address(os.path.expanduser(text), None)
    host, port = text, "6600"
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.lstrip(":") or "6600"
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host or not port.isdigit():
        raise ValueError(f"bad MPD address {text!r}: use HOST:PORT or a socket path")
    return Address(host, int(port))


def read_password(path: str) -> str | None:
    """The first line of the password file, or None when no file is configured."""
    if not path:
        return None
    try:
        return first_line(Path(path), "MPD password")
    except ValueError as err:
        raise MpdUnavailableError(f"mpd.password_file: {err}") from err


def connect(settings: MpdSettings, address: str | None = None) -> MPDClient:
    """A connected client with the configured timeout and password; raises on failure."""
    addr = parse_address(address or settings.address)
    client = MPDClient()
    client.timeout = settings.timeout_s
    client.connect(addr.host, addr.port)
    try:
        password = read_password(settings.password_file)
        if password:
            client.password(password)
    except Exception:
        close_quietly(client)
        raise
    return client


def close_quietly(client: MPDClient | None) -> None:
    """Disconnect, ignoring a connection that is already gone."""
    if client is None:
        return
    try:
        client.disconnect()
    except Exception:  # closing a dead socket may raise anything
        logger.debug("disconnect failed", exc_info=True)


def interrupt(client: MPDClient) -> None:
    """Wake a thread blocked in ``client.idle()`` by shutting the socket down under it.

    python-mpd2's synchronous client has no ``noidle``; shutting down a duplicate of the
    descriptor ends the connection itself, so the blocked read returns at once.
    """
    try:
        fd = os.dup(client.fileno())
    except (MpdConnectionError, OSError):
        return
    with socket.socket(fileno=fd) as sock, contextlib.suppress(OSError):  # already shut down
        sock.shutdown(socket.SHUT_RDWR)
