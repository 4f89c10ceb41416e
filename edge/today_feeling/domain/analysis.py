"""Immutable records that flow from the recogniser to the mood engine and the listeners."""

from __future__ import annotations

from dataclasses import dataclass, field

from today_feeling.domain.emotions import EMOTIONS


@dataclass(frozen=True)
class Face:
    """One detected face in frame pixel coordinates."""

    box: tuple[float, float, float, float]
    """x0, y0, x1, y1 in pixels of the analysed frame."""
    score: float
    """Detector confidence in [0, 1]."""
    keypoints: tuple[tuple[float, float], ...]
    """BlazeFace's six points: right eye, left eye, nose tip, mouth, right ear, left ear."""
    track_id: int = -1
    probs: tuple[float, ...] | None = None
    """Probabilities over :data:`EMOTIONS`, or None when the face was not classified."""

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def emotion(self) -> str | None:
        if self.probs is None:
            return None
        return EMOTIONS[max(range(len(self.probs)), key=self.probs.__getitem__)]


@dataclass(frozen=True)
class FrameAnalysis:
    """Everything learned from one frame; never holds pixels (privacy)."""

    index: int
    t: float
    """Monotonic capture time in seconds."""
    faces: tuple[Face, ...]
    primary: Face | None
    """The listener: the tracked, largest and most central face."""
    stage_ms: dict[str, float] = field(default_factory=dict)
    detector: str = ""
    """Which detector model produced the faces ('short' or 'full')."""
