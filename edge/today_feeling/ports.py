"""The small interfaces that keep hardware and services replaceable.

Adapters implement these; the composition root (app.py) wires them. Fakes for tests
subclass or satisfy them under tests/fakes/, never in the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from today_feeling.domain.analysis import FrameAnalysis


@dataclass(frozen=True)
class Frame:
    """One captured image; pixels stay in memory on the device (privacy)."""

    image: npt.NDArray[np.uint8]
    """H x W x 3 BGR (OpenCV order)."""
    t: float
    """Monotonic capture time in seconds (time.monotonic clock)."""
    index: int
    source_name: str = ""
    """For file and folder sources: the file the frame came from."""
    media_t: float | None = None
    """For replays: position in the media in seconds (deterministic, unlike ``t``)."""


class FrameSource(Protocol):
    """A camera, stream or file. ``read`` blocks until a frame is available.

    Failure policy: ``open`` raises SourceError with an actionable message; ``read``
    returns None at the end of a finite source and raises SourceError when a live
    source fails, after which the caller may ``close`` and ``open`` again (with backoff).
    """

    name: str

    def open(self) -> None: ...

    def read(self) -> Frame | None: ...

    def skip(self) -> bool:
        """Move past the next frame without decoding it: the analysis will not look at it.

        Most frames of an always-on camera are never analysed, and decoding them was most of
        an empty room's cost. False at the end of a finite source; failures as for ``read``.
        """
        ...

    def set_frame_rate(self, fps: float) -> None:
        """Ask a live source for ``fps`` frames/s (fewer while nobody is in the room).

        Best effort: a source that cannot change its rate (a file, many streams) ignores it.
        """
        ...

    def close(self) -> None: ...


class FrameProvider(Protocol):
    """The newest frame, on demand: what the analysis loop needs of the capture thread.

    ``capture.worker.CaptureWorker`` is the one implementation; both methods are called from
    the analysis (main) thread and are safe against the capture thread.
    """

    def latest(self, after_index: int, timeout: float) -> Frame | None:
        """The newest frame whose index is not ``after_index``, or None after ``timeout`` s."""
        ...

    def request(self, due: float, idle: bool) -> None:
        """No frame is wanted before clock time ``due``; ``idle``: nobody is in the room."""
        ...


class FrameAnalyser(Protocol):
    """Pixels in, faces and emotions out (``inference.recognizer.Recognizer``)."""

    def analyse(self, image: npt.NDArray[np.uint8], index: int, t: float) -> FrameAnalysis: ...


class Service(Protocol):
    """A long-running adapter (MPD director, MQTT client, web server) owned by the daemon.

    ``start`` must not block and must not fail because a peer is down: it retries with
    backoff in the background. ``stop`` returns within a few seconds.
    """

    def start(self) -> None: ...

    def stop(self) -> None: ...
