"""A guided enrolment: one expression at a time, a few seconds each, with quality gates.

Why a session object: the page (or any client) drives it step by step over MQTT (begin,
capture EMOTION, finish), while faces arrive on the analysis thread; the session holds what
was collected in memory only — nothing reaches disk until ``finish`` hands the samples over.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from today_feeling.domain.emotions import EMOTIONS
from today_feeling.profiles.quality import NO_FACE

#: A step needs at least this many accepted faces to count.
MIN_FACES_PER_STEP = 3


@dataclass
class EnrolmentSession:
    """One person's enrolment in progress (not thread-safe: the runtime holds a lock)."""

    name: str
    seconds: float
    batch: str
    state: str = "ready"
    """'ready' (waiting for a capture), 'collecting' or 'saved'/'cancelled' at the end."""
    emotion: str = ""
    ends_at: float = 0.0
    message: str = ""
    samples: dict[str, list[tuple[float, npt.NDArray[np.float32]]]] = field(default_factory=dict)
    _step: list[tuple[float, npt.NDArray[np.float32]]] = field(default_factory=list)
    _rejections: Counter[str] = field(default_factory=Counter)

    def capture(self, emotion: str, now: float) -> None:
        """Start collecting ``emotion`` for ``seconds`` (replaces an earlier take of it)."""
        if emotion not in EMOTIONS:
            raise ValueError(f"unknown emotion {emotion!r} (one of {', '.join(EMOTIONS)})")
        self.state, self.emotion, self.ends_at = "collecting", emotion, now + self.seconds
        self._step, self._rejections = [], Counter()
        self.message = f"show {emotion} now"

    def offer(self, now: float, embedding: npt.NDArray[np.float32] | None, rejection: str | None) -> None:
        """A primary face seen while enrolling: kept, or its rejection counted."""
        if self.state != "collecting" or now > self.ends_at:
            return
        if embedding is None or rejection is not None:
            self._rejections[rejection or NO_FACE] += 1
        else:
            self._step.append((now, embedding))

    def tick(self, now: float) -> bool:
        """End the step when its time is up; True when the state changed."""
        if self.state != "collecting" or now <= self.ends_at:
            return False
        if len(self._step) >= MIN_FACES_PER_STEP:
            self.samples[self.emotion] = self._step
            self.message = f"{self.emotion}: learned from {len(self._step)} faces"
        else:
            reason = self._rejections.most_common(1)[0][0] if self._rejections else NO_FACE
            self.message = f"{self.emotion}: try again ({reason})"
        self.state, self._step = "ready", []
        return True

    def view(self) -> dict[str, Any]:
        """The progress payload (published on ``<base>/enrol``): no embeddings."""
        return {"name": self.name, "state": self.state, "emotion": self.emotion,
                "ends_at": round(self.ends_at, 3) if self.state == "collecting" else None,
                "collected": {e: len(self.samples.get(e, ())) for e in EMOTIONS},
                "done": [e for e in EMOTIONS if e in self.samples],
                "message": self.message}
