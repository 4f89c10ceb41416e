"""Volume changes asked for by people are ramped, never jumped (pure; clock injected)."""

from __future__ import annotations

from collections.abc import Callable


class VolumeRamp:
    """Linear ramp from the volume MPD has to the one asked for, over ``ramp_s``."""

    def __init__(self, ramp_s: float, clock: Callable[[], float]) -> None:
        self._ramp_s = ramp_s
        self._clock = clock
        self.current: int | None = None
        self.target: int | None = None
        self._start = 0
        self._t0 = 0.0

    @property
    def active(self) -> bool:
        return self.target is not None

    def observe(self, volume: int) -> None:
        """MPD's volume as read back (ignored while ramping: those are our own steps)."""
        if not self.active:
            self.current = volume

    def set_target(self, volume: int) -> None:
        """Start ramping toward ``volume`` from the current level (0..100)."""
        volume = max(0, min(100, volume))
        if volume == self.current and not self.active:
            return
        self._start = self.current if self.current is not None else volume
        self._t0 = self._clock()
        self.target = volume

    def step(self) -> int | None:
        """The level to set now, or None when there is nothing to do."""
        if self.target is None:
            return None
        frac = 1.0 if self._ramp_s <= 0 else (self._clock() - self._t0) / self._ramp_s
        if frac >= 1.0:
            level, self.target = self.target, None
        else:
            level = round(self._start + (self.target - self._start) * frac)
        if level == self.current and self.target is not None:
            return None
        self.current = level
        return level

    def reset(self) -> None:
        """Forget the level (a new connection: MPD may have restarted with another volume)."""
        self.current = self.target = None
