"""Quiet hours: a daily span of local time in which music never starts and stays soft.

Written ``"22:00-07:00"`` (it may wrap past midnight) or ``""`` for none. Pure code: the
caller passes the local time, so tests choose 3 a.m. without waiting for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
OFF_WORDS = ("", "off", "none")


@dataclass(frozen=True)
class QuietHours:
    """Minutes after local midnight where the span starts and ends; start == end is empty."""

    start_min: int
    end_min: int

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """The span ``text`` names, None for off; ValueError with the expected form otherwise."""
        if text.strip().lower() in OFF_WORDS:
            return None
        match = _SPAN.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not HH:MM-HH:MM (e.g. 22:00-07:00) or off")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"{text!r}: hours run 0-23 and minutes 0-59")
        return cls(h1 * 60 + m1, h2 * 60 + m2)

    def active(self, local: datetime) -> bool:
        minute = local.hour * 60 + local.minute
        if self.start_min <= self.end_min:
            return self.start_min <= minute < self.end_min
        return minute >= self.start_min or minute < self.end_min  # wraps past midnight

    def describe(self) -> str:
        def hhmm(minutes: int) -> str:
            return f"{minutes // 60:02d}:{minutes % 60:02d}"

        return f"{hhmm(self.start_min)}-{hhmm(self.end_min)}"


def normalise(text: str) -> str:
    """The canonical spelling of a schedule ("" for off); ValueError when malformed."""
    span = QuietHours.parse(text)
    return span.describe() if span else ""


def quiet_at(schedule: str, local: datetime) -> bool:
    """Whether ``local`` falls in ``schedule``; a malformed schedule (never stored) is not quiet."""
    try:
        span = QuietHours.parse(schedule)
    except ValueError:
        return False
    return span is not None and span.active(local)


class QuietPolicy:
    """Answers "is it quiet now?" and caps volumes, from the live schedule and a wall clock."""

    def __init__(self, schedule: Callable[[], str], wall: Callable[[], float], cap: int) -> None:
        self._schedule = schedule
        self._wall = wall
        self._cap = cap

    def now(self) -> bool:
        return quiet_at(self._schedule(), datetime.fromtimestamp(self._wall()))

    def capped(self, volume: int) -> int:
        return min(volume, self._cap) if self.now() else volume
