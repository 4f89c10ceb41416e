"""History store: retention, row bound, gaps, segments and daily summaries on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from today_feeling.config.settings import Settings
from today_feeling.config.web import HistorySettings
from today_feeling.domain.controls import Controls
from today_feeling.domain.mood import MoodState
from today_feeling.events import EventBus, MoodChanged, TrackChanged
from today_feeling.history import HistoryReader, HistoryService, HistoryStore, build_service
from today_feeling.history.store import MoodRow, TrackRow
from today_feeling.history.summary import day_bounds, segments, summarise

DAY = 86400.0


def mood_state(mood: str, confidence: float = 0.8) -> MoodState:
    return MoodState(mood=mood, confidence=confidence, smoothed=None, candidate=None,
                     face_present=True, changed=True)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore(tmp_path / "h" / "history.sqlite3", retention_days=2, max_rows=100)
    yield s
    s.close()


def test_retention_deletes_rows_older_than_the_window(store: HistoryStore) -> None:
    now = 10 * DAY
    store.add_mood(now - 3 * DAY, "sadness", 0.7)
    store.add_mood(now - 1 * DAY, "happiness", 0.9)
    store.add_track(_track(now - 2.5 * DAY))
    store.add_track(_track(now - 0.5 * DAY))
    assert store.prune(now) == 2
    assert store.counts() == (1, 1)


def test_max_rows_keeps_the_newest(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "b.sqlite3", retention_days=3650, max_rows=100)
    for i in range(130):
        store.add_mood(1000.0 + i, "anger" if i % 2 else "fear", 0.5)
    store.prune(2000.0)
    assert store.counts() == (100, 0)
    oldest = sqlite3.connect(store.path).execute("SELECT MIN(ts) FROM moods").fetchone()[0]
    assert oldest == 1030.0
    store.close()


def test_nothing_but_moods_and_tracks_is_stored(store: HistoryStore) -> None:
    db = sqlite3.connect(store.path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"moods", "tracks", "meta"}
    cols = {r[1] for r in db.execute("PRAGMA table_info(moods)")}
    assert cols == {"ts", "mood", "confidence"}


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


def test_service_records_bus_events_and_marks_stops(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    clock = _Clock(5000.0)
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
    service = HistoryService(lambda: HistoryStore(path, 30, 1000), bus, clock=_Clock(5000.0))
    service.start()
    assert service.flush()
    service.stop()
    segs = HistoryReader(path).timeline("hour", now=4000.0)["segments"]
    assert segs == [{"mood": "anger", "start": 1000.0, "end": 1060.0}]


def test_reader_of_a_missing_file_is_empty(tmp_path: Path) -> None:
    reader = HistoryReader(tmp_path / "absent.sqlite3")
    assert reader.timeline("day", now=1e9)["segments"] == []
    assert len(reader.summary(7, now=1e9)["days"]) == 7


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _track(ts: float) -> TrackRow:
    return TrackRow(ts, "x.mp3", "", "", None, None, "")


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
