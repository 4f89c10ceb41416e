"""systemd's notify protocol (sd_notify) without a C dependency.

READY=1, WATCHDOG=1, STATUS= and STOPPING=1 are datagrams to $NOTIFY_SOCKET; outside
systemd (no socket) every call is a no-op, so the daemon runs the same everywhere.
"""

from __future__ import annotations

import logging
import os
import socket

logger = logging.getLogger(__name__)


class SystemdNotifier:
    """Sends notify messages; ``watchdog_interval`` is half of WatchdogSec (or None)."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        self._address = "\0" + address[1:] if address.startswith("@") else address
        self._socket: socket.socket | None = None
        if self._address:
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.watchdog_interval = _watchdog_interval(env)

    def notify(self, *fields: str) -> None:
        if self._socket is None:
            return
        try:
            self._socket.sendto("\n".join(fields).encode(), self._address)
        except OSError as err:  # systemd gone or socket full: never crash the daemon for it
            logger.debug("sd_notify failed: %s", err)

    def ready(self, status: str) -> None:
        self.notify("READY=1", f"STATUS={status}")

    def watchdog(self) -> None:
        self.notify("WATCHDOG=1")

    def status(self, status: str) -> None:
        self.notify(f"STATUS={status}")

    def stopping(self) -> None:
        self.notify("STOPPING=1", "STATUS=stopping")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _watchdog_interval(env: os._Environ[str] | dict[str, str]) -> float | None:
    usec = env.get("WATCHDOG_USEC")
    pid = env.get("WATCHDOG_PID")
    if not usec or (pid and pid.isdigit() and int(pid) != os.getpid()):
        return None
    try:
        return max(int(usec) / 2e6, 0.05)
    except ValueError:
        return None
