"""The capture thread: keeps only the newest frame, reopens failing sources, obeys privacy.

The analysis loop is slower than the camera on purpose (rate cap), so frames are
not queued: a one-slot mailbox holds the newest frame and older ones are dropped,
which keeps the pipeline on live time instead of drifting behind.

The analysis loop also says when it next wants a frame (``request``): until shortly before
then, frames are skipped without decoding, and while nobody is in the room the camera is
asked for a lower rate. Without requests every frame is decoded (the CLI's one-shot uses).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Literal

from today_feeling.backoff import Backoff
from today_feeling.errors import SourceError
from today_feeling.ports import Frame, FrameSource

logger = logging.getLogger(__name__)

CaptureState = Literal["starting", "streaming", "ended", "retrying", "privacy"]
"""``starting`` until the source first opens, fails or is closed for privacy; ``ended`` (a finite
source ran out) is followed by ``retrying`` at once; the supervisor counts ``privacy``,
``retrying`` and ``ended`` as "alive, but no frames coming"."""

StatusCallback = Callable[[CaptureState, bool, str], None]
"""(state, healthy, detail), called on the capture thread at each change of state."""


class CaptureWorker:
    """Owns one FrameSource on its own thread."""

    def __init__(self, source: FrameSource, backoff: Backoff,
                 on_status: StatusCallback | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 rates: tuple[float, float] | None = None) -> None:
        """``rates`` = (frames/s with someone in the room, frames/s while idle) for live sources."""
        self._source = source
        self._backoff = backoff
        self._on_status = on_status or (lambda state, healthy, detail: None)
        self._clock = clock
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._stop = threading.Event()
        self._privacy = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)
        self.frames_read = 0
        self.frames_skipped = 0
        self._due: float | None = None
        """Clock time the analysis next wants a frame; None = decode every frame."""
        self._asked = 0
        """Counts requests, so a frame decoded for a replaced one is recognised."""
        self._interval = 0.0
        """The source's time between frames, as last seen (how early to start decoding)."""
        self._rates = rates
        self._idle = False
        self._applied_rate: float | None = None
        self.heartbeat = clock()
        """Clock time of the capture thread's last sign of life (for the watchdog)."""
        self.state: CaptureState = "starting"

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout)

    def set_privacy(self, on: bool) -> None:
        """Privacy on closes the source: no frame is read until it is turned off."""
        if on:
            with self._cond:  # atomic with publishing in _stream
                self._privacy.set()
                self._latest = None  # a frame taken before the switch must not be analysed
        else:
            self._privacy.clear()
            self._due = None  # decode the first frame after privacy: nobody asked yet
        self._wake.set()

    def request(self, due: float, idle: bool) -> None:
        """The analysis needs no frame before clock time ``due``; ``idle``: nobody is around.

        A frame already waiting was decoded before anyone asked; at ``due`` it would be stale.
        """
        with self._cond:
            self._latest = None
            self._due, self._idle = due, idle
            self._asked += 1

    def latest(self, after_index: int, timeout: float) -> Frame | None:
        """The newest frame newer than ``after_index`` (or None after ``timeout`` s)."""
        deadline = self._clock() + timeout
        with self._cond:
            while not self._stop.is_set():
                frame = self._latest
                if frame is not None and frame.index != after_index:
                    self._latest = None
                    return frame
                remaining = deadline - self._clock()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
        return None

    def _set_state(self, state: CaptureState, healthy: bool, detail: str = "") -> None:
        if state != self.state:
            self.state = state
            self._on_status(state, healthy, detail)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.heartbeat = self._clock()
            if self._privacy.is_set():
                self._set_state("privacy", True, "camera closed by privacy mode")
                self._wait(1.0)
                continue
            try:
                self._source.open()
            except SourceError as err:
                self._retry(str(err))
                continue
            self._set_state("streaming", True)
            self._applied_rate = None  # a reopened camera starts at its configured rate
            self._stream()
            self._source.close()

    def _stream(self) -> None:
        last = self._clock()
        while not self._stop.is_set() and not self._privacy.is_set():
            self._apply_rate()
            with self._cond:  # the request and its due time as one snapshot
                asked, decode = self._asked, self._due_near(self._clock())
            try:
                frame = self._source.read() if decode else None
                more = frame is not None or (not decode and self._source.skip())
            except SourceError as err:
                self._source.close()
                self._retry(str(err))
                return
            now = self.heartbeat = self._clock()
            self._interval, last = now - last, now
            if not more:
                self._source.close()
                self._set_state("ended", True, "source ended")
                self._retry("source ended", log=logging.INFO)
                return
            self._backoff.reset()
            if frame is None:
                self.frames_skipped += 1
                continue
            self.frames_read += 1
            # Re-number frames across reopenings so ``latest`` never confuses them.
            frame = Frame(frame.image, frame.t, self.frames_read, frame.source_name, frame.media_t)
            with self._cond:
                if self._privacy.is_set():
                    return
                if self._asked != asked and not self._due_near(now):
                    continue  # decoded for a request that was replaced, too early for the new one
                self._latest = frame
                if self._due is not None:  # this frame answers the current request either way
                    self._due = math.inf  # served: skip until the analysis asks again
                self._cond.notify_all()

    def _due_near(self, now: float) -> bool:
        """Is the requested frame the next one (from one frame interval before the due time)?"""
        due = self._due
        return due is None or now + self._interval >= due

    def _apply_rate(self) -> None:
        if self._rates is None:
            return
        busy, idle = self._rates
        rate = min(idle, busy) if self._idle and idle > 0 else busy
        if rate != self._applied_rate:
            self._source.set_frame_rate(rate)
            self._applied_rate = rate

    def _retry(self, reason: str, log: int = logging.WARNING) -> None:
        delay = self._backoff.next_delay()
        logger.log(log, "%s: %s; retrying in %.1f s (attempt %d)", self._source.name, reason, delay,
                   self._backoff.attempts)
        self._set_state("retrying", False, reason)
        self._wait(delay)

    def _wait(self, seconds: float) -> None:
        """Sleep, but wake early for stop or a privacy change; keeps the heartbeat fresh."""
        end = self._clock() + seconds
        while not self._stop.is_set():
            remaining = end - self._clock()
            if remaining <= 0:
                return
            self._wake.wait(min(remaining, 1.0))
            if self._wake.is_set():
                self._wake.clear()
                return
            self.heartbeat = self._clock()
