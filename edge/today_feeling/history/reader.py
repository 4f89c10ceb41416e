"""Read-only access to the history file for the dashboard's JSON endpoints.

The web server opens the file read-only per request, so it can never modify the history
and needs no shared object with the writer (they may even run in different processes).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from today_feeling.history.store import MoodRow, TrackRow
from today_feeling.history.summary import segments, summarise

logger = logging.getLogger(__name__)

RANGES: dict[str, float] = {"hour": 3600.0, "day": 86400.0, "week": 7 * 86400.0}
MAX_TRACKS = 200
MAX_DAYS = 31


class HistoryReader:
    """Builds the JSON documents behind /api/history and /api/summary."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path).expanduser()

    def timeline(self, range_name: str, now: float) -> dict[str, Any]:
        """Mood segments and tracks of the last hour/day/week (KeyError for unknown ranges)."""
        span = RANGES[range_name]
        start = now - span
        moods = self._moods(start, now)
        tracks = self._tracks(start, now, MAX_TRACKS)
        return {
            "range": range_name,
            "start": start,
            "end": now,
            "segments": [{"mood": s.mood, "start": s.start, "end": s.end}
                         for s in segments(moods, start, now)],
            "tracks": [{"ts": t.ts, "artist": t.artist, "title": t.title, "file": t.file,
                        "reason": t.reason} for t in tracks],
        }

    def summary(self, days: int, now: float) -> dict[str, Any]:
        """Daily summaries of the last ``days`` local days (1..31), oldest first."""
        days = max(1, min(days, MAX_DAYS))
        start = now - (days + 1) * 86400.0  # local midnight is at most a day before this
        moods = self._moods(start, now)
        track_times = [t.ts for t in self._tracks(start, now, None)]
        out = []
        for day in summarise(moods, track_times, now, days):
            out.append({"day": day.day, "start": day.start, "end": day.end,
                        "seconds": {k: round(v, 1) for k, v in day.seconds.items()},
                        "changes": day.changes, "tracks": day.tracks, "top": day.top})
        return {"days": out}

    def _connect(self) -> sqlite3.Connection | None:
        if not self._path.is_file():
            return None
        uri = f"{self._path.resolve().as_uri()}?mode=ro"
        return sqlite3.connect(uri, uri=True, timeout=2.0)

    def _moods(self, start: float, end: float) -> list[MoodRow]:
        """Rows in [start, end] plus the last row before ``start`` (the mood held at start)."""
        db = self._connect()
        if db is None:
            return []
        try:
            before = db.execute(
                "SELECT ts, mood, confidence FROM moods WHERE ts < ? "
                "ORDER BY ts DESC, rowid DESC LIMIT 1", (start,)).fetchall()
            inside = db.execute(
                "SELECT ts, mood, confidence FROM moods WHERE ts >= ? AND ts <= ? "
                "ORDER BY ts, rowid", (start, end)).fetchall()
        except sqlite3.Error as err:
            logger.warning("history read failed path=%s error=%s", self._path, err)
            return []
        finally:
            db.close()
        return [MoodRow(float(ts), str(m), float(c)) for ts, m, c in before + inside]

    def _tracks(self, start: float, end: float, limit: int | None) -> list[TrackRow]:
        db = self._connect()
        if db is None:
            return []
        try:
            rows = db.execute(
                "SELECT ts, file, artist, title, valence, arousal, reason FROM tracks "
                "WHERE ts >= ? AND ts <= ? ORDER BY ts DESC, rowid DESC LIMIT ?",
                (start, end, -1 if limit is None else limit)).fetchall()
        except sqlite3.Error as err:
            logger.warning("history read failed path=%s error=%s", self._path, err)
            return []
        finally:
            db.close()
        return [TrackRow(*row) for row in reversed(rows)]
