"""The history service: bus events recorded, stops and crashes closed, the path setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.clock import ManualClock
from today_feeling.config.settings import Settings
from today_feeling.config.web import HistorySettings
from today_feeling.domain.controls import Controls
from today_feeling.domain.mood import MoodState
from today_feeling.events import EventBus, MoodChanged, TrackChanged
from today_feeling.history import HistoryReader, HistoryService, HistoryStore, build_service


def mood_state(mood: str, confidence: float = 0.8) -> MoodState:
    return MoodState(mood=mood, confidence=confidence, smoothed=None, candidate=None,
                     face_present=True, changed=True)


def test_service_records_bus_events_and_marks_stops(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    clock = ManualClock(5000.0)
    bus = EventBus()
    service = HistoryService(lambda: HistoryStore(path, 30, 1000), bus, clock=clock)
    service.start()
    bus.publish(MoodChanged(previous=None, state=mood_state("happiness"), wall_time=5010.0))
    bus.publish(TrackChanged(file="a.mp3", artist="A", title="T", reason="bright",
                             wall_time=5011.0))
    assert service.flush()
    clock.now = 5100.0
    service.stop()
    reader = HistoryReader(path)
    timeline = reader.timeline("hour", now=5200.0)
    assert timeline["segments"] == [{"mood": "happiness", "start": 5010.0, "end": 5100.0}]
    assert timeline["tracks"][0]["title"] == "T"
    assert timeline["tracks"][0]["reason"] == "bright"


def test_a_crash_is_closed_at_the_last_heartbeat(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    crashed = HistoryStore(path, 30, 1000)
    crashed.add_mood(1000.0, "anger", 0.9)
    crashed.heartbeat(1060.0)
    crashed.close()  # no gap marker: the daemon died
    bus = EventBus()
    service = HistoryService(lambda: HistoryStore(path, 30, 1000), bus, clock=ManualClock(5000.0))
    service.start()
    assert service.flush()
    service.stop()
    segs = HistoryReader(path).timeline("hour", now=4000.0)["segments"]
    assert segs == [{"mood": "anger", "start": 1000.0, "end": 1060.0}]


def test_build_service_follows_the_path_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:

    assert build_service(Settings(history=HistorySettings(path="")), EventBus(), Controls()) is None
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = Settings(history=HistorySettings(path="~/tf/history.sqlite3"))
    service = build_service(settings, EventBus(), Controls())
    assert service is not None
    service.start()
    assert service.flush()
    service.stop()
    assert (tmp_path / "tf" / "history.sqlite3").is_file()
