"""The music worker's MPD connection lifecycle: connect, back off, drop, and the idle thread.

Why its own class: the worker decides *what* to do with MPD; this decides *whether there is*
an MPD to do it with. Each connection gets a new ``generation``; its idle thread stamps what it
posts with it, so a late answer from a dropped connection is told apart from the live one's.
Every method runs on the worker thread except the idle loop, which only posts to the inbox.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mpd import CommandError

from today_feeling.backoff import Backoff
from today_feeling.config.music import MpdSettings
from today_feeling.errors import TodayFeelingError
from today_feeling.events import EventBus, ServiceStatus
from today_feeling.music import messages as msg
from today_feeling.music.connection import CONNECTION_ERRORS, close_quietly, connect, interrupt
from today_feeling.music.index_store import INDEX_ERRORS, IndexStore, open_index

logger = logging.getLogger(__name__)

#: CommandError here is a refused password: retried with backoff like an absent MPD.
CONNECT_ERRORS: tuple[type[Exception], ...] = (TodayFeelingError, CommandError, *CONNECTION_ERRORS)


class MpdLink:
    """Opens a command and an idle connection (plus the mood index) and drops them again."""

    def __init__(self, settings: MpdSettings, inbox: queue.Queue[msg.Message], bus: EventBus,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._inbox = inbox
        self._bus = bus
        self._clock = clock
        self._retry = Backoff(settings.retry_initial_s, settings.retry_max_s, jitter=0.0)
        self._next_attempt = 0.0
        self._client: Any = None
        self._idle_client: Any = None
        self._index: IndexStore | None = None
        self._announced = False
        self.generation = 0
        """The live connection's number (read by the scanner thread to stamp its message)."""

    @property
    def address(self) -> str:
        return self._settings.address

    def due(self) -> bool:
        """Time for the next connection attempt (only meaningful while disconnected)."""
        return self._clock() >= self._next_attempt

    def wait_s(self, cap_s: float) -> float:
        """How long the disconnected worker may wait for a message before it tries again."""
        return max(0.01, min(cap_s, self._next_attempt - self._clock()))

    def is_current(self, generation: int) -> bool:
        return generation == self.generation

    def open(self) -> tuple[Any, IndexStore] | None:
        """Connect (command client, idle client, index) and start the idle thread.

        On failure nothing stays open, the next attempt is scheduled with backoff, and None
        is returned.
        """
        client = idle_client = None
        try:
            client = connect(self._settings)
            idle_client = connect(self._settings)
            index = open_index(client, Path(self._settings.local_index).expanduser())
        except (*CONNECT_ERRORS, *INDEX_ERRORS) as err:
            close_quietly(client)
            close_quietly(idle_client)
            delay = self._retry.next_delay()
            self._next_attempt = self._clock() + delay
            logger.info("MPD at %s unavailable (%s); retrying in %.1f s", self.address, err, delay)
            return None
        self.generation += 1
        self._client, self._idle_client, self._index = client, idle_client, index
        threading.Thread(target=self._idle_loop, args=(idle_client, self.generation),
                         name="tf-music-idle", daemon=True).start()
        self._retry.reset()
        logger.info("connected to MPD %s at %s", client.mpd_version, self.address)
        return client, index

    def announce_up(self) -> None:
        """Tell the bus MPD is up (once the worker's re-sync on it has succeeded)."""
        self._announced = True
        self._bus.publish(ServiceStatus("mpd", True, self.address))

    def drop(self, detail: str = "") -> None:
        """Close the connection (if any), schedule a reconnect, announce it if it was up."""
        if self._idle_client is not None:
            interrupt(self._idle_client)
            self._idle_client = None
        if self._index is not None:
            close_quietly(self._client)
            self._index.close()
            self._client = self._index = None
            self._next_attempt = self._clock() + self._retry.next_delay()
        if self._announced:
            self._announced = False
            self._bus.publish(ServiceStatus("mpd", False, detail or f"reconnecting to {self.address}"))

    def _idle_loop(self, client: Any, generation: int) -> None:
        """Idle thread: post every change; on any error report the connection lost."""
        try:
            while True:
                self._inbox.put(msg.ServerChanged(tuple(client.idle()), generation))
        except Exception as err:  # any failure ends this connection
            logger.debug("idle loop ended: %s", err)
            self._inbox.put(msg.IdleLost(generation))
        finally:
            close_quietly(client)
