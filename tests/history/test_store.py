"""History store: retention, row bound and what is stored, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from today_feeling.history import HistoryStore
from today_feeling.history.store import TrackRow

DAY = 86400.0


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


def _track(ts: float) -> TrackRow:
    return TrackRow(ts, "x.mp3", "", "", None, None, "")
