"""Hand-off between event publishers and the MQTT worker thread.

Bus handlers run on the camera pipeline's thread and must never wait for the network,
so they only drop work here. Rate-limited topics keep only their latest item and send
it when their interval has passed (the newest reading is never lost, the broker never
floods). Clock injected for tests.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Outgoing:
    """One message to publish."""

    topic: str
    payload: bytes
    retain: bool = False
    qos: int = 0


Task = Callable[[], None]
Item = Outgoing | Task


@dataclass
class _Slot:
    interval: float
    last_sent: float | None = None
    pending: Outgoing | None = None

    def due_at(self) -> float | None:
        if self.pending is None:
            return None
        return 0.0 if self.last_sent is None else self.last_sent + self.interval


class Outbox:
    """FIFO of messages and tasks plus latest-wins throttled slots; ``get`` blocks (bounded)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_items: int = 1000,
                 max_received: int = 100) -> None:
        self._clock = clock
        self._items: deque[Item] = deque(maxlen=max_items)  # oldest dropped when full
        # Messages from the broker wait apart: a flood of commands (a controller gone wrong)
        # must never push the device's own state updates out of the queue above.
        self._received: deque[Task] = deque(maxlen=max_received)
        self._slots: dict[str, _Slot] = {}
        self._cond = threading.Condition()
        self._closed = False

    def put(self, item: Item) -> None:
        with self._cond:
            if not self._closed:
                self._items.append(item)
                self._cond.notify()

    def put_received(self, task: Task) -> None:
        """Handle a message from the broker; past ``max_received`` waiting, the oldest goes."""
        with self._cond:
            if not self._closed:
                self._received.append(task)
                self._cond.notify()

    def put_throttled(self, key: str, message: Outgoing, interval: float) -> None:
        """Keep only the newest ``message`` for ``key``; send at most one per ``interval``."""
        with self._cond:
            if self._closed:
                return
            slot = self._slots.setdefault(key, _Slot(interval))
            slot.interval, slot.pending = interval, message
            self._cond.notify()

    def close(self) -> None:
        """Refuse new work; ``get`` still returns what is queued, then None."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def get(self, timeout: float) -> Item | None:
        """The next due item, or None after ``timeout`` seconds (or when closed and drained)."""
        deadline = self._clock() + timeout
        with self._cond:
            while True:
                if self._items:
                    return self._items.popleft()
                if self._received:
                    return self._received.popleft()
                now = self._clock()
                due, wake = self._pop_due(now)
                if due is not None:
                    return due
                if self._closed or now >= deadline:
                    return None
                self._cond.wait(min(deadline, wake) - now)

    def _pop_due(self, now: float) -> tuple[Outgoing | None, float]:
        """A throttled message whose interval has passed, else the earliest time one will be."""
        wake = float("inf")
        for slot in self._slots.values():
            due_at = slot.due_at()
            if due_at is None or self._closed:
                continue
            if due_at <= now:
                message, slot.pending, slot.last_sent = slot.pending, None, now
                return message, now
            wake = min(wake, due_at)
        return None, wake
