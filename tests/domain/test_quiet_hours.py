"""The quiet-hours schedule itself: spans that wrap past midnight, validation, normal form."""

from __future__ import annotations

from datetime import datetime

import pytest

from today_feeling.domain.quiet_hours import QuietHours, normalise, quiet_at


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute)


@pytest.mark.parametrize(("schedule", "quiet", "loud"), [
    ("22:00-07:00", [at(22), at(23, 59), at(0), at(3), at(6, 59)], [at(7), at(12), at(21, 59)]),
    ("13:00-15:30", [at(13), at(15, 29)], [at(12, 59), at(15, 30), at(3)]),
    ("off", [], [at(3), at(23)]),
    ("", [], [at(3)]),
])
def test_spans_wrap_past_midnight_and_end_exclusive(schedule: str, quiet: list[datetime],
                                                    loud: list[datetime]) -> None:
    assert all(quiet_at(schedule, t) for t in quiet)
    assert not any(quiet_at(schedule, t) for t in loud)


def test_schedules_are_validated_and_normalised() -> None:
    assert normalise(" 7:05-9:30 ") == "07:05-09:30"
    assert normalise("OFF") == ""
    assert QuietHours.parse("10:00-10:00") == QuietHours(600, 600)  # empty span: never quiet
    assert not quiet_at("10:00-10:00", at(10))
    for bad in ("25:00-07:00", "22:61-07:00", "late", "22:00"):
        with pytest.raises(ValueError, match=r"HH:MM|hours run"):
            QuietHours.parse(bad)
    assert not quiet_at("late", at(3))  # a malformed schedule never blocks music
