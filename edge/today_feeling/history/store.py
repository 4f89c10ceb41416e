"""SQLite history of committed moods and tracks played, bounded by age and row count.

Only what the dashboard's statistics need is stored: a mood name with its confidence at
commit time, and the track metadata with the director's reason. Nothing about faces,
frames or per-frame emotion ever reaches this file (privacy).

A mood row opens a segment that lasts until the next row. A row with an empty mood is a
*gap marker* (the daemon stopped), so time while the daemon was off is not counted.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS moods (
    ts REAL NOT NULL,
    mood TEXT NOT NULL,
    confidence REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS moods_ts ON moods (ts);
CREATE TABLE IF NOT EXISTS tracks (
    ts REAL NOT NULL,
    file TEXT NOT NULL,
    artist TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    valence REAL,
    arousal REAL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS tracks_ts ON tracks (ts);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value REAL NOT NULL);
"""

GAP = ""
"""The mood value of a gap marker."""


@dataclass(frozen=True)
class MoodRow:
    ts: float
    mood: str
    confidence: float


@dataclass(frozen=True)
class TrackRow:
    ts: float
    file: str
    artist: str
    title: str
    valence: float | None
    arousal: float | None
    reason: str


class HistoryStore:
    """Writer side of the history; one instance per daemon, safe to call from several threads."""

    def __init__(self, path: str | Path, retention_days: int, max_rows: int) -> None:
        self._path = Path(path).expanduser()
        self._retention_s = retention_days * 86400.0
        self._max_rows = max_rows
        self._lock = threading.Lock()
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        # WAL lets the dashboard read while the daemon writes; NORMAL sync is enough for
        # statistics and spares the Pi's SD card a flush per row.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    @property
    def path(self) -> Path:
        return self._path

    def add_mood(self, ts: float, mood: str, confidence: float) -> None:
        self._write("INSERT INTO moods (ts, mood, confidence) VALUES (?, ?, ?)",
                    (ts, mood, confidence))

    def add_gap(self, ts: float) -> None:
        """Mark that the daemon stopped at ``ts`` unless the last row is already a marker."""
        with self._lock:
            last = self._db.execute(
                "SELECT ts, mood FROM moods ORDER BY ts DESC, rowid DESC LIMIT 1").fetchone()
            if last is not None and last[1] != GAP:
                # Never before the last mood: a heartbeat may be older than the last commit.
                self._db.execute("INSERT INTO moods (ts, mood, confidence) VALUES (?, ?, 0)",
                                 (max(ts, float(last[0])), GAP))

    def add_track(self, row: TrackRow) -> None:
        self._write(
            "INSERT INTO tracks (ts, file, artist, title, valence, arousal, reason) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row.ts, row.file, row.artist, row.title, row.valence, row.arousal, row.reason),
        )

    def heartbeat(self, ts: float) -> None:
        """Remember that the daemon was alive at ``ts`` (closes segments after a crash)."""
        self._write("INSERT OR REPLACE INTO meta (key, value) VALUES ('alive', ?)", (ts,))

    def last_alive(self) -> float | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'alive'").fetchone()
        return None if row is None else float(row[0])

    def prune(self, now: float) -> int:
        """Delete rows past retention and beyond ``max_rows`` per table; returns rows deleted."""
        cutoff = now - self._retention_s
        deleted = 0
        with self._lock:
            for table in ("moods", "tracks"):
                cur = self._db.execute(f"DELETE FROM {table} WHERE ts < ?", (cutoff,))
                deleted += cur.rowcount
                cur = self._db.execute(
                    f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} "
                    "ORDER BY ts DESC, rowid DESC LIMIT -1 OFFSET ?)",
                    (self._max_rows,),
                )
                deleted += cur.rowcount
        if deleted:
            logger.info("history pruned rows=%d", deleted)
        return deleted

    def counts(self) -> tuple[int, int]:
        """(mood rows, track rows), for tests and the doctor."""
        with self._lock:
            moods = self._db.execute("SELECT COUNT(*) FROM moods").fetchone()[0]
            tracks = self._db.execute("SELECT COUNT(*) FROM tracks").fetchone()[0]
        return int(moods), int(tracks)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, params: tuple[object, ...]) -> None:
        with self._lock:
            self._db.execute(sql, params)
