"""From noisy per-frame emotion to a committed mood that music can follow.

Facial expressions last about 0.5-4 s and a blink or a word changes a frame's label,
so a change is committed only when a new class has led the *smoothed* evidence by a
margin (hysteresis) for a dwell time, and not sooner than ``min_hold_s`` after the
previous commit. Pure code: time comes from an injected clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from today_feeling.domain.analysis import Face
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.setting_fields import setting_meta

NEUTRAL = EMOTIONS.index("neutral")


@dataclass(frozen=True)
class MoodSettings:
    """Turning per-frame emotion into a stable committed mood (music must not flap).

    Owned by the domain, declared like every config section; ``config.settings`` aggregates it
    as ``[mood]``.
    """

    smoothing_s: float = field(default=1.5, metadata=setting_meta(
        "Time constant of the exponential smoothing of class probabilities; longer than a "
        "blink (0.3 s), shorter than a held expression (0.5-4 s)", unit="seconds", min=0.01, max=60))
    min_face_score: float = field(
        default=0.7, metadata=setting_meta("Faces below this detector score are ignored", min=0, max=1))
    min_confidence: float = field(default=0.35, metadata=setting_meta(
        "Frames whose top class probability is below this are ignored", min=0, max=1))
    commit_threshold: float = field(default=0.45, metadata=setting_meta(
        "Smoothed probability a candidate mood needs before it can be committed", min=0, max=1))
    hysteresis: float = field(default=0.10, metadata=setting_meta(
        "How much the candidate must lead the committed mood's smoothed probability", min=0, max=1))
    dwell_s: float = field(default=4.0, metadata=setting_meta(
        "A candidate must lead continuously this long before it is committed", unit="seconds",
        min=0, max=600))
    min_hold_s: float = field(default=20.0, metadata=setting_meta(
        "A committed mood is kept at least this long before another change", unit="seconds", min=0,
        max=3600))
    neutral_policy: Literal["hold", "commit"] = field(default="hold", metadata=setting_meta(
        "'hold': a neutral face keeps the current mood until neutral_dwell_s; "
        "'commit': neutral is a mood like the others"))
    neutral_dwell_s: float = field(default=60.0, metadata=setting_meta(
        "With neutral_policy 'hold', neutral must last this long to replace a mood",
        unit="seconds", min=0, max=3600))
    face_lost_s: float = field(default=3.0, metadata=setting_meta(
        "After this long without an accepted face the smoothed evidence is reset", unit="seconds",
        min=0, max=3600))


@dataclass(frozen=True)
class MoodState:
    """The mood engine's view after one update."""

    mood: str | None
    """The committed mood, or None before the first commit."""
    confidence: float
    """Smoothed probability of the committed mood (0 when there is no evidence)."""
    smoothed: tuple[float, ...] | None
    """Smoothed probabilities over EMOTIONS, None while no face has been accepted recently."""
    candidate: str | None
    """A class leading the evidence that is waiting out its dwell."""
    face_present: bool
    """Whether an accepted face has been seen within ``face_lost_s``."""
    changed: bool
    """True exactly on the update that committed a new mood."""


class MoodEngine:
    """Exponential smoothing + gating + hysteresis + dwell; one instance per listener."""

    def __init__(self, settings: MoodSettings, clock: Callable[[], float]) -> None:
        self._s = settings
        self._clock = clock
        self._smoothed: npt.NDArray[np.float64] | None = None
        self._last_obs: float | None = None
        self._mood: int | None = None
        self._since: float | None = None
        self._candidate: int | None = None
        self._candidate_since = 0.0

    def update(self, face: Face | None) -> MoodState:
        """Feed the primary face of one analysed frame (None when no face was found)."""
        now = self._clock()
        if self._accepts(face):
            assert face is not None and face.probs is not None
            self._observe(np.asarray(face.probs, dtype=np.float64), now)
        elif self._last_obs is not None and now - self._last_obs > self._s.face_lost_s:
            self._smoothed, self._last_obs, self._candidate = None, None, None
        changed = self._decide(now)
        return self._state(changed)

    def _accepts(self, face: Face | None) -> bool:
        if face is None or face.probs is None or face.score < self._s.min_face_score:
            return False
        return max(face.probs) >= self._s.min_confidence

    def _observe(self, probs: npt.NDArray[np.float64], now: float) -> None:
        if self._smoothed is None or self._last_obs is None:
            self._smoothed = probs.copy()
        else:
            # Time-aware EMA: the weight of old evidence halves-ish per time constant,
            # independent of the analysis rate (which drops when idle).
            alpha = 1.0 - math.exp(-max(now - self._last_obs, 0.0) / self._s.smoothing_s)
            self._smoothed = (1.0 - alpha) * self._smoothed + alpha * probs
        self._last_obs = now

    def _decide(self, now: float) -> bool:
        if self._smoothed is None:
            return False
        leader = int(np.argmax(self._smoothed))
        if leader == self._mood or not self._eligible(leader):
            self._candidate = None
            return False
        if self._candidate != leader:
            self._candidate, self._candidate_since = leader, now
        if now - self._candidate_since < self._dwell_for(leader):
            return False
        if self._since is not None and now - self._since < self._s.min_hold_s:
            return False
        self._mood, self._since, self._candidate = leader, now, None
        return True

    def _eligible(self, leader: int) -> bool:
        assert self._smoothed is not None
        lead = float(self._smoothed[leader])
        if lead < self._s.commit_threshold:
            return False
        if self._mood is None:
            return True
        return lead - float(self._smoothed[self._mood]) >= self._s.hysteresis

    def _dwell_for(self, leader: int) -> float:
        holds = self._s.neutral_policy == "hold" and self._mood is not None
        if leader == NEUTRAL and holds:
            return max(self._s.neutral_dwell_s, self._s.dwell_s)
        return self._s.dwell_s

    def _state(self, changed: bool) -> MoodState:
        smoothed = None if self._smoothed is None else tuple(float(p) for p in self._smoothed)
        confidence = 0.0
        if smoothed is not None and self._mood is not None:
            confidence = smoothed[self._mood]
        return MoodState(
            mood=None if self._mood is None else EMOTIONS[self._mood],
            confidence=confidence,
            smoothed=smoothed,
            candidate=None if self._candidate is None else EMOTIONS[self._candidate],
            face_present=self._smoothed is not None,
            changed=changed,
        )
