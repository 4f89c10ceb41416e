"""Opening python-mpd2 connections from settings: TCP or Unix socket, optional password."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from pathlib import Path

from mpd import ConnectionError as MpdConnectionError
from mpd import MPDClient, ProtocolError

from today_feeling.config.addresses import parse_address
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
