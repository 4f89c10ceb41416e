"""The history reader: a missing file reads as an empty history."""

from __future__ import annotations

from pathlib import Path

from today_feeling.history import HistoryReader


def test_reader_of_a_missing_file_is_empty(tmp_path: Path) -> None:
    reader = HistoryReader(tmp_path / "absent.sqlite3")
    assert reader.timeline("day", now=1e9)["segments"] == []
    assert len(reader.summary(7, now=1e9)["days"]) == 7
