"""Quiet hours: the schedule itself (pure), and a real mpd that stays silent at 3 a.m."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest
from mpd import MPDClient

from tests.music.conftest import wait_for
from tests.music.rig import Rig
from today_feeling.domain.quiet_hours import QuietHours, normalise, quiet_at
from today_feeling_dev.local_mpd import LocalMpd


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute)


def three_am() -> float:
    """A wall clock that always reads 03:00 local time today (the service asks it each time)."""
    return at(3).timestamp()


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


def test_a_mood_change_at_3am_starts_no_music_and_the_volume_is_capped(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig: Rig = rig_factory(scanned, wall=three_am, quiet_hours="22:00-07:00", quiet_volume=20)
    client.setvol(70)
    rig.connected()
    rig.mood("happiness")
    time.sleep(2.5)  # two polls: long enough for a start to have happened
    assert client.status()["state"] == "stop"
    assert rig.director_tracks() == []
    wait_for(lambda: int(client.status()["volume"]) == 20, what="volume capped at quiet_volume")
    rig.controls.update(volume=90)  # asking for more during quiet hours gets the cap
    time.sleep(1.5)
    assert int(client.status()["volume"]) == 20
    # quiet hours switched off (dashboard, MQTT): the next mood starts music again
    rig.controls.update(quiet_hours="")
    rig.mood("sadness")
    pick = rig.picked(1)[0]
    assert client.status()["state"] == "play"
    assert "your sad mood" in pick.reason


def test_a_person_may_still_start_music_during_quiet_hours(
        scanned: LocalMpd, client: MPDClient, rig_factory: Any) -> None:
    rig: Rig = rig_factory(scanned, wall=three_am, quiet_hours="22:00-7:00", quiet_volume=20)
    rig.connected()
    rig.mood("sadness")
    time.sleep(1.5)
    assert client.status()["state"] == "stop"
    rig.controls.update(paused=True)
    rig.controls.update(paused=False)  # Resume on the dashboard: a person's explicit request
    wait_for(lambda: client.status()["state"] == "play", what="the person's start to play")
    assert int(client.status()["volume"]) <= 20
