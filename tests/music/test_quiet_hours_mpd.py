"""Quiet hours against a real mpd: silent at 3 a.m., the volume capped, a person may still play."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from mpd import MPDClient

from tests.music.rig import Rig
from tests.support.wait import wait_for
from today_feeling_dev.local_mpd import LocalMpd


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute)


def three_am() -> float:
    """A wall clock that always reads 03:00 local time today (the service asks it each time)."""
    return at(3).timestamp()


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
