"""One manual clock for every test that injects time (monotonic or wall, it does not care)."""

from __future__ import annotations


class ManualClock:
    """Time that moves only when the test says so: call it for the time, set or advance ``now``.

    ``sleep`` is an injectable ``time.sleep`` that advances the clock instead of waiting and
    writes down each request in ``slept``.
    """

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        """Move time on by ``seconds``; returns the new time."""
        self.now += seconds
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
