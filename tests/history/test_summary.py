"""History summaries: segments clipped and closed by gaps, days split at local midnight."""

from __future__ import annotations

from today_feeling.history.store import MoodRow
from today_feeling.history.summary import day_bounds, segments, summarise


def test_segments_are_clipped_and_gaps_close_them() -> None:
    rows = [MoodRow(50, "sadness", 0.6), MoodRow(120, "happiness", 0.8), MoodRow(200, "", 0),
            MoodRow(260, "anger", 0.7)]
    segs = segments(rows, start=100, end=300)
    assert [(s.mood, s.start, s.end) for s in segs] == [
        ("sadness", 100, 120), ("happiness", 120, 200), ("anger", 260, 300)]


def test_daily_summary_splits_at_local_midnight() -> None:
    days = day_bounds(now=1_800_000_000.0, days=2)
    (_, y_start, y_end), (_, t_start, _) = days
    assert y_end == t_start
    rows = [MoodRow(y_end - 600, "happiness", 0.9), MoodRow(t_start + 300, "surprise", 0.5)]
    summary = summarise(rows, [t_start + 10, y_start + 5], now=t_start + 900, days=2)
    yesterday, today = summary
    assert yesterday.seconds == {"happiness": 600}
    assert today.seconds == {"happiness": 300, "surprise": 600}
    assert (yesterday.changes, today.changes) == (1, 1)
    assert (yesterday.tracks, today.tracks) == (1, 1)
    assert today.top == "surprise"
