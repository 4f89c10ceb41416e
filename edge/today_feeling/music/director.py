"""The director's policy: which track next, and why. Pure code with an injected clock.

``match`` aims at the committed mood's point. ``lift`` follows the iso principle of
music therapy: the first pick meets the listener where they are, each later pick moves
one step toward a calmer/happier target. A neutral (or lost) mood keeps the current
plan, so the music does not lurch when a face relaxes. A person's own action on MPD
makes the director back off for a while.
"""

from __future__ import annotations

import logging
import random
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from today_feeling.config.music import DirectorSettings
from today_feeling.domain.pick_reason import PickWhy, feel, sentence
from today_feeling.music.feedback import LIMIT
from today_feeling.music.space import EMOTION_POINTS, TrackMood, distance

logger = logging.getLogger(__name__)

#: Moods that lift mode moves away from; pleasant moods are simply matched.
LIFTED_MOODS = ("anger", "fear", "sadness")
#: At or below this score in a mood (one thumbs down, or three skips) a track is not picked
#: for that mood while any other track is available.
DISLIKED = -1.0


@dataclass(frozen=True)
class Pick:
    """A chosen track with the target it was chosen for and why, as codes and in English."""

    track: TrackMood
    target: tuple[float, float]
    why: PickWhy

    @property
    def reason(self) -> str:
        """The one-line English reason (logs, MQTT ``reason``, Home Assistant)."""
        return sentence(self.why)


class Director:
    """Holds the plan (mood, lift step, history, back-off); :meth:`pick` chooses a track."""

    def __init__(
        self, settings: DirectorSettings, clock: Callable[[], float],
        rng: random.Random | None = None,
    ) -> None:
        self._s = settings
        self._clock = clock
        self._rng = rng or random.Random()
        self.mode: str = settings.mode
        self.mood: str | None = None
        self._mood_since = 0.0
        self._step = 0
        self._history: deque[str] = deque(maxlen=max(settings.history_size, 1))
        self._backoff_until = float("-inf")
        self.manual_actions: list[str] = []
        """What people did, in order (skip, pause, stop, queue edit): for logs and tests."""
        self.generation = 0
        """Bumped whenever the plan changes, so queued picks of an older plan are replaced."""

    def set_mode(self, mode: str) -> bool:
        """Switch mode; True when the plan changed (queued picks should be replaced)."""
        if mode == self.mode:
            return False
        self.mode, self._step = mode, 0
        self.generation += 1
        return True

    def on_mood(self, mood: str | None) -> bool:
        """A committed mood; True when the plan changed. Neutral/None keep an existing plan."""
        if mood is None or mood == self.mood:
            return False
        if mood == "neutral" and self.mood is not None:
            return False
        self.mood, self._mood_since, self._step = mood, self._clock(), 0
        self.generation += 1
        return True

    def note_manual(self, what: str) -> None:
        """A person acted on MPD (skip, pause, queue edit): stay out of the way for a while."""
        self._backoff_until = self._clock() + self._s.manual_backoff_s
        self.manual_actions = [*self.manual_actions[-19:], what]
        logger.info("manual %s: director backs off for %.0f s", what, self._s.manual_backoff_s)

    def resume(self) -> None:
        """The user asked *us* for something (unpause, next, mode): stop backing off."""
        self._backoff_until = float("-inf")

    def backing_off(self) -> bool:
        return self._clock() < self._backoff_until

    def note_played(self, file: str) -> None:
        """A track started (ours or not): it joins the no-repeat history."""
        if self._s.history_size > 0 and file:
            self._history.append(file)

    @property
    def active(self) -> bool:
        """Whether the director wants to drive MPD now."""
        return self.mode != "off" and self.mood is not None and not self.backing_off()

    def mood_age(self) -> float:
        return self._clock() - self._mood_since if self.mood is not None else 0.0

    def target(self) -> tuple[float, float] | None:
        """The point the next pick aims at, or None without a mood or in mode off."""
        if self.mood is None or self.mode == "off":
            return None
        start = EMOTION_POINTS[self.mood]
        if self.mode != "lift" or self.mood not in LIFTED_MOODS:
            return start
        goal = (self._s.lift_target_valence, self._s.lift_target_arousal)
        frac = min(self._step, self._s.lift_steps) / self._s.lift_steps
        return (start[0] + (goal[0] - start[0]) * frac, start[1] + (goal[1] - start[1]) * frac)

    def pick(self, library: Sequence[TrackMood], exclude: Sequence[str] = ()) -> Pick | None:
        """Choose the next track and advance the lift step; None when nothing can be picked."""
        target = self.target()
        if target is None or not library:
            return None
        candidates = self._candidates(library, set(exclude))
        if not candidates:
            return None
        # A track the listener turned down in this mood is left out while anything else fits.
        wanted = [t for t in candidates if t.liking(self.mood) > DISLIKED] or candidates
        ranked = sorted(wanted, key=lambda t: self._effective_distance(t, target))
        best = self._effective_distance(ranked[0], target)
        near = [t for t in ranked if self._effective_distance(t, target) <= best + self._s.variety]
        track = self._rng.choice(near)
        why = self._why(track)
        logger.debug("pick %s for %s after %ds: target v=%+.2f a=%+.2f, track v=%+.2f a=%+.2f (%s)",
                     track.file, self.mood, why.mood_s, *target, track.valence, track.arousal,
                     track.source)
        if self.mode == "lift":
            self._step += 1
        return Pick(track, target, why)

    def _effective_distance(self, track: TrackMood, target: tuple[float, float]) -> float:
        """Distance to the target, shortened for tracks liked in this mood (longer if skipped)."""
        liking = max(-LIMIT, min(LIMIT, track.liking(self.mood))) / LIMIT
        return distance(track.point, target) - self._s.feedback_weight * liking

    def fits(self, track: TrackMood | None) -> bool:
        """Whether ``track`` is close enough to the current target to keep playing."""
        target = self.target()
        if target is None or track is None:
            return True
        return distance(track.point, target) <= self._s.fit_distance

    @property
    def switch_enabled(self) -> bool:
        return self._s.switch_after_stable_s > 0

    def wants_switch(self, current: TrackMood | None) -> bool:
        """With switch_after_stable_s set: cut a misfitting track once the mood is stable."""
        wait = self._s.switch_after_stable_s
        if wait <= 0 or not self.active or current is None:
            return False
        return self.mood_age() >= wait and not self.fits(current)

    def _candidates(self, library: Sequence[TrackMood], exclude: set[str]) -> list[TrackMood]:
        """Tracks not played recently; when all were, the ones played longest ago."""
        recent = list(self._history)
        fresh = [t for t in library if t.file not in exclude and t.file not in recent]
        if fresh or not recent:
            return fresh
        pool = [t for t in library if t.file not in exclude]
        if not pool:
            return []
        age = {f: i for i, f in enumerate(recent)}  # lower index = played longer ago
        oldest = min(age.get(t.file, -1) for t in pool)
        return [t for t in pool if age.get(t.file, -1) == oldest]

    def _why(self, track: TrackMood) -> PickWhy:
        """The pick's reasons before the lift step advances (so step 1 is the first pick)."""
        assert self.mood is not None  # pick() returns before this without a mood
        step: int | None = None
        steps: int | None = None
        if self.mode == "lift" and self.mood in LIFTED_MOODS:
            step, steps = min(self._step, self._s.lift_steps) + 1, self._s.lift_steps + 1
        liking = track.liking(self.mood)
        energy, tone = feel(track.valence, track.arousal)
        return PickWhy(
            mood=self.mood, mood_s=int(self.mood_age()), mode="lift" if step else "match",
            step=step, steps=steps, energy=energy, tone=tone,
            feedback="liked" if liking > 0 else "skipped" if liking < 0 else None,
        )
