"""Pure computations over history rows: mood segments and per-day summaries.

Kept apart from SQLite so the arithmetic (clipping, gaps, day boundaries) is unit-tested
with plain lists and an explicit clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime

from today_feeling.history.store import GAP, MoodRow


@dataclass(frozen=True)
class Segment:
    """The committed mood held from ``start`` to ``end`` (epoch seconds)."""

    mood: str
    start: float
    end: float


@dataclass(frozen=True)
class DaySummary:
    """One local calendar day of the statistics tab."""

    day: str
    """ISO date (device local time)."""
    start: float
    end: float
    seconds: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each committed mood within the day."""
    changes: int = 0
    """Mood commits that happened during the day."""
    tracks: int = 0

    @property
    def top(self) -> str | None:
        if not self.seconds:
            return None
        return max(self.seconds.items(), key=lambda kv: kv[1])[0]


def segments(rows: Sequence[MoodRow], start: float, end: float) -> list[Segment]:
    """Turn mood rows (sorted by ts, including the last row before ``start``) into clipped
    segments; a gap row or ``end`` closes the open segment."""
    out: list[Segment] = []
    for i, row in enumerate(rows):
        if row.mood == GAP:
            continue
        seg_end = rows[i + 1].ts if i + 1 < len(rows) else end
        lo, hi = max(row.ts, start), min(seg_end, end)
        if hi > lo:
            out.append(Segment(row.mood, lo, hi))
    return out


def day_bounds(now: float, days: int) -> list[tuple[str, float, float]]:
    """(iso date, start, end) of the last ``days`` local days, oldest first, today included.

    Boundaries are local midnights, so a DST day is 23 or 25 hours long, as people expect.
    """
    today = datetime.fromtimestamp(now).date()
    out = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        out.append((day.isoformat(), _midnight(day), _midnight(day + timedelta(days=1))))
    return out


def _midnight(day: date) -> float:
    return datetime.combine(day, dtime.min).astimezone().timestamp()


def summarise(
    rows: Sequence[MoodRow], track_times: Sequence[float], now: float, days: int
) -> list[DaySummary]:
    """Per-day seconds per mood, commits and tracks; the open segment ends at ``now``."""
    out = []
    for iso, start, end in day_bounds(now, days):
        seconds: dict[str, float] = {}
        for seg in segments(rows, start, min(end, now)):
            seconds[seg.mood] = seconds.get(seg.mood, 0.0) + (seg.end - seg.start)
        changes = sum(1 for r in rows if r.mood != GAP and start <= r.ts < end)
        tracks = sum(1 for t in track_times if start <= t < end)
        out.append(DaySummary(iso, start, end, seconds, changes, tracks))
    return out
