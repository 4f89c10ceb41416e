"""In-process publish/subscribe between the pipeline and the services around it.

The pipeline thread publishes; services (music director, MQTT, dashboard history)
subscribe. Handlers run on the publisher's thread, so they must only hand work off
(e.g. put on their own queue) and never block: the camera must not wait for a broker.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from today_feeling.domain.analysis import FrameAnalysis
from today_feeling.domain.mood import MoodState
from today_feeling.domain.pick_reason import PickWhy

logger = logging.getLogger(__name__)

E = TypeVar("E")


@dataclass(frozen=True)
class AnalysisEvent:
    """One analysed frame and the mood engine's state after it."""

    analysis: FrameAnalysis
    state: MoodState
    """The engine's whole view (``state.mood`` is the committed mood)."""
    wall_time: float
    """time.time() when the frame was analysed (for payload ``ts`` fields)."""


@dataclass(frozen=True)
class MoodChanged:
    """The committed mood changed."""

    previous: str | None
    state: MoodState
    """The engine's view at the commit; ``state.mood`` is the new mood."""
    wall_time: float
    """time.time() of the commit."""


@dataclass(frozen=True)
class TrackChanged:
    """The player started a track (chosen by the director or by a person)."""

    file: str
    artist: str = ""
    title: str = ""
    valence: float | None = None
    arousal: float | None = None
    reason: str = ""
    """The director's one-line reason, empty for tracks it did not pick."""
    wall_time: float = 0.0
    why: PickWhy | None = None
    """The same reason as codes (for a page to say in its language); None when not our pick."""


@dataclass(frozen=True)
class NextPlanned:
    """The pick queued for the current mood behind a playing track that does not fit it.

    The director never cuts a song for a new mood, so until the track boundary the music and
    the mood disagree; this says what comes next and why. ``file`` empty: nothing to say (the
    playing track fits, or nothing is queued for the current plan).
    """

    after: str
    """The file playing now, which the pick follows."""
    file: str = ""
    artist: str = ""
    title: str = ""
    valence: float | None = None
    arousal: float | None = None
    reason: str = ""
    why: PickWhy | None = None
    wall_time: float = 0.0


@dataclass(frozen=True)
class LibraryScan:
    """Where the background library scan stands: after each file, and once when it ends."""

    scanning: bool
    done: int
    total: int
    wall_time: float = 0.0


@dataclass(frozen=True)
class ServiceStatus:
    """Connection state of an adapter (MPD, MQTT, camera) for metrics and the dashboard."""

    name: str
    connected: bool
    detail: str = ""


@dataclass(frozen=True)
class StatsEvent:
    """Periodic pipeline statistics."""

    fps: float
    stage_ms: dict[str, float] = field(default_factory=dict)
    accelerator: str = "cpu"
    cpu_temp_c: float | None = None
    uptime_s: float = 0.0
    wall_time: float = 0.0
    # The supervisor's own verdict, the one that gates WATCHDOG=1: "starting", "ok" (frames are
    # analysed, or the camera is deliberately closed/retrying) or "stalled".
    pipeline: str = "ok"


@dataclass(frozen=True)
class HistoryWritten:
    """The history writer stored rows (for /metrics: when the last write succeeded)."""

    wall_time: float


@dataclass(frozen=True)
class ProfileRequest:
    """Someone asked to change a profile: a correction, an undo, a delete or an enrolment step.

    ``action`` is one of ``correct`` (value: an emotion), ``undo`` (a correction id or
    ``last``), ``delete`` (a name), ``enrol_begin`` (a name), ``enrol_capture`` (an emotion),
    ``enrol_finish`` and ``enrol_cancel`` (no value).
    """

    action: str
    value: str = ""


@dataclass(frozen=True)
class ProfilesChanged:
    """The household's profiles as UIs may show them (names, counts; never embeddings)."""

    active: str
    """The profile applied now ('' = none)."""
    profiles: tuple[dict[str, Any], ...]
    available: bool
    """False when the emotion model has no embedding, so profiles cannot be used."""
    message: str = ""
    """The last thing worth telling a person (a refused or corrupt profile, a correction added)."""
    wall_time: float = 0.0


@dataclass(frozen=True)
class EnrolmentProgress:
    """Where a guided enrolment stands (see profiles/enrolment.py for the fields)."""

    state: dict[str, Any]
    wall_time: float = 0.0


class EventBus:
    """Typed pub/sub: ``subscribe(MoodChanged, handler)``; exceptions are logged, not raised."""

    def __init__(self) -> None:
        self._handlers: dict[type[Any], list[Callable[[Any], None]]] = defaultdict(list)
        self._lock = threading.Lock()

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        with self._lock:
            self._handlers[event_type].append(handler)

    def publish(self, event: object) -> None:
        with self._lock:
            handlers = list(self._handlers.get(type(event), ()))
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                logger.exception("handler %r failed on %s", handler, type(event).__name__)
