"""Exponential backoff, the one used by every adapter that retries (camera, MPD, dashboard bind)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Doubling delays from ``initial`` to ``maximum`` with +-``jitter`` fraction.

    Jitter keeps a fleet of devices from hammering a broker in lock-step after an outage.
    """

    initial: float
    maximum: float
    jitter: float = 0.1
    _attempt: int = field(default=0, init=False)
    _rng: random.Random = field(default_factory=random.Random, init=False, repr=False)

    def next_delay(self) -> float:
        base = min(self.maximum, self.initial * (2 ** self._attempt))
        self._attempt += 1
        return float(base * (1 + self._rng.uniform(-self.jitter, self.jitter)))

    def reset(self) -> None:
        self._attempt = 0

    @property
    def attempts(self) -> int:
        return self._attempt
