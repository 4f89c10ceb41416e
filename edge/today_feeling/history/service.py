"""The daemon service that records committed moods and tracks played into the history.

Bus handlers only enqueue (they run on the pipeline's thread); one writer thread owns all
SQLite writes, prunes hourly and leaves a heartbeat so a crash does not count the time the
daemon was down as time spent in the last mood. A write that fails (a full disk, a read-only
remount) loses nothing: the rows wait in a bounded in-memory queue, the writer retries with
backoff and tells /healthz, /metrics and MQTT (ServiceStatus "history") until it writes again.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable

from today_feeling.backoff import Backoff
from today_feeling.events import EventBus, HistoryWritten, MoodChanged, ServiceStatus, TrackChanged
from today_feeling.history.store import HistoryStore, TrackRow

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
_STOP = object()
#: Rows kept in memory while the disk refuses them (a day of moods and tracks, ~200 bytes each).
MAX_PENDING = 5000
#: What a full, read-only or vanished disk raises (a file that is not a database is not retried).
WRITE_ERRORS = (sqlite3.OperationalError, OSError)


class HistoryService:
    """Subscribes to MoodChanged and TrackChanged; start/stop follow the Service contract."""

    def __init__(
        self,
        store_factory: Callable[[], HistoryStore],
        bus: EventBus,
        clock: Clock = time.time,
        heartbeat_s: float = 60.0,
        prune_every_s: float = 3600.0,
    ) -> None:
        self._store_factory = store_factory
        self._clock = clock
        self._heartbeat_s = heartbeat_s
        self._prune_every_s = prune_every_s
        self._queue: queue.Queue[object] = queue.Queue(maxsize=1000)
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._bus = bus
        self._pending: deque[object] = deque(maxlen=MAX_PENDING)
        self._failing = False
        bus.subscribe(MoodChanged, self._enqueue)
        bus.subscribe(TrackChanged, self._enqueue)

    def start(self) -> None:
        self._done.clear()
        self._thread = threading.Thread(target=self._run, name="history", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._queue.put(_STOP)
        self._thread.join(timeout=5.0)
        self._thread = None

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued event is written (tests, shutdown); False on timeout."""
        marker = threading.Event()
        self._queue.put(marker)
        return marker.wait(timeout)

    def _enqueue(self, event: MoodChanged | TrackChanged) -> None:
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            logger.warning("history queue full, dropping %s", type(event).__name__)

    def _run(self) -> None:
        store = self._open_with_retry()
        if store is None:
            return
        try:
            self._loop(store)
            store.add_gap(self._clock())
            store.heartbeat(self._clock())
        except WRITE_ERRORS as err:
            logger.error("history: %d row(s) not written at stop (%s)", len(self._pending), err)
        except Exception:
            logger.exception("history writer failed")
        finally:
            store.close()

    def _open_with_retry(self) -> HistoryStore | None:
        """The open store; a disk that is full or read-only now is retried (events wait in the
        queue meanwhile). None when stopped first, or when the file can never be a history."""
        retry = Backoff(1.0, 30.0)
        while True:
            try:
                store = self._store_factory()
            except WRITE_ERRORS as err:
                self._report(False, f"cannot open the history file ({err}); retrying")
            except Exception:
                logger.exception("history disabled: cannot open the history file")
                self._drain_until_stop()
                return None
            else:
                try:
                    self._open(store)
                    if self._failing:
                        self._report(True, "writing again")
                    return store
                except WRITE_ERRORS as err:
                    store.close()
                    self._report(False, f"cannot write ({err}); retrying")
            if self._wait_or_stop(retry.next_delay()):
                return None

    def _wait_or_stop(self, delay: float) -> bool:
        """Sleep ``delay`` unless a stop arrives (True); events arriving meanwhile are kept."""
        deadline = self._clock() + delay
        while (left := deadline - self._clock()) > 0:
            try:
                item = self._queue.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if item is _STOP:
                return True
            self._keep(item)
        return False

    def _keep(self, item: object) -> None:
        if len(self._pending) == self._pending.maxlen:
            logger.warning("history: %d rows waiting for the disk; the oldest is dropped", len(self._pending))
        self._pending.append(item)

    def _open(self, store: HistoryStore) -> None:
        alive = store.last_alive()
        if alive is not None:
            store.add_gap(alive)  # the previous run ended (cleanly or not) at its heartbeat
        store.prune(self._clock())
        store.heartbeat(self._clock())
        logger.info("history recording path=%s", store.path)

    def _loop(self, store: HistoryStore) -> None:
        next_beat = self._clock() + self._heartbeat_s
        next_prune = self._clock() + self._prune_every_s
        retry, retry_at = Backoff(1.0, 30.0), 0.0
        while True:
            wait = min((retry_at if self._failing else next_beat) - self._clock(), 5.0)
            try:
                item = self._queue.get(timeout=max(0.05, wait))
            except queue.Empty:
                item = None
            if item is _STOP:
                self._write_pending(store)  # a last try; what still fails is lost with the process
                return
            if item is not None:
                self._keep(item)
            now = self._clock()
            if self._failing and now < retry_at:
                continue
            try:
                self._write_pending(store)
                if now >= next_beat:
                    store.heartbeat(now)
                    next_beat = now + self._heartbeat_s
                if now >= next_prune:
                    store.prune(now)
                    next_prune = now + self._prune_every_s
            except WRITE_ERRORS as err:
                retry_at = now + retry.next_delay()
                self._report(False, f"cannot write ({err}); {len(self._pending)} row(s) kept, retrying")
                continue
            if self._failing:
                retry.reset()
                self._report(True, "writing again")

    def _write_pending(self, store: HistoryStore) -> None:
        """Write the waiting rows oldest first; a row leaves the queue only once written."""
        wrote = False
        while self._pending:
            item = self._pending[0]
            self._handle(store, item)
            self._pending.popleft()
            wrote = wrote or isinstance(item, MoodChanged | TrackChanged)
        if wrote:
            self._bus.publish(HistoryWritten(self._clock()))

    def _report(self, ok: bool, detail: str) -> None:
        if ok != (not self._failing):
            (logger.info if ok else logger.error)("history %s", detail)
        self._failing = not ok
        self._bus.publish(ServiceStatus("history", ok, detail))

    def _handle(self, store: HistoryStore, item: object) -> None:
        if isinstance(item, MoodChanged) and item.state.mood is not None:
            store.add_mood(item.wall_time or self._clock(), item.state.mood, item.state.confidence)
        elif isinstance(item, TrackChanged):
            store.add_track(TrackRow(item.wall_time or self._clock(), item.file, item.artist,
                                     item.title, item.valence, item.arousal, item.reason))
        elif isinstance(item, threading.Event):
            item.set()

    def _drain_until_stop(self) -> None:
        while (item := self._queue.get()) is not _STOP:
            if isinstance(item, threading.Event):
                item.set()
