"""Where the library's mood index lives: MPD stickers, or a local file when the server has none.

MPD keeps per-song stickers, so the index survives restarts and other clients can read it.
Mopidy (which brings Spotify, Jellyfin, radio and more to MPD clients) and an MPD built
without a sticker database refuse them; then the same name/value pairs go to a small SQLite
file under the device's state directory, keyed by the song's URI. Both look alike to the
scan, the service and the feedback recorder: ``read_all(name)`` and ``write(file, values)``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any, Protocol

from mpd import CommandError

logger = logging.getLogger(__name__)

#: python-mpd2 raises ValueError for Mopidy's "ACK [0@0]" refusals (0 is no known error code).
REFUSED: tuple[type[Exception], ...] = (CommandError, ValueError)


class IndexStore(Protocol):
    """Per-song name/value pairs (``tf_valence`` and friends, see stickers.py)."""

    kind: str

    def read_all(self, name: str) -> dict[str, str]: ...

    def write(self, file: str, values: dict[str, str]) -> None: ...

    def close(self) -> None: ...


class MpdStickers:
    """MPD's own sticker database, through the command connection."""

    kind = "stickers"

    def __init__(self, client: Any) -> None:
        self._client = client

    def read_all(self, name: str) -> dict[str, str]:
        """file -> value of sticker ``name`` for every song that has it (one round trip)."""
        try:
            rows = self._client.sticker_find("song", "", name)
        except REFUSED as err:
            logger.warning("sticker find %s failed: %s", name, err)
            return {}
        out: dict[str, str] = {}
        for row in rows:
            key, _, value = str(row.get("sticker", "")).partition("=")
            if key == name and "file" in row:
                out[row["file"]] = value
        return out

    def write(self, file: str, values: dict[str, str]) -> None:
        for name, value in values.items():
            self._client.sticker_set("song", file, name, value)

    def close(self) -> None:
        """Nothing to release: the stickers live in MPD."""


class LocalIndex:
    """The index in a SQLite file (mode 0600), for servers without stickers.

    One connection per instance, guarded by a lock: the scan thread and the music thread
    each open their own instance of the same file, and SQLite serialises their writes.
    """

    kind = "local"

    def __init__(self, path: Path, *, create: bool = True) -> None:
        """``create=False`` opens an existing file read-only (for ``doctor``, run as any user)."""
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        target = str(path) if create else f"{path.as_uri()}?mode=ro"
        self._db = sqlite3.connect(target, check_same_thread=False, timeout=10.0, uri=not create)
        if not create:
            return
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS song_values (file TEXT NOT NULL, "
                         "name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (file, name))")
        self._db.commit()

    def read_all(self, name: str) -> dict[str, str]:
        with self._lock:
            rows = self._db.execute("SELECT file, value FROM song_values WHERE name = ?", (name,))
            return {str(file): str(value) for file, value in rows}

    def write(self, file: str, values: dict[str, str]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT INTO song_values (file, name, value) VALUES (?, ?, ?) "
                "ON CONFLICT (file, name) DO UPDATE SET value = excluded.value",
                [(file, name, value) for name, value in values.items()])
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()


def has_stickers(client: Any) -> bool:
    """Whether the server keeps stickers (MPD with a sticker_file); Mopidy refuses them."""
    try:
        client.sticker_find("song", "", "tf_fp")
    except REFUSED as err:
        logger.info("the music server refuses stickers (%s): using the local index", err)
        return False
    return True


def open_index(client: Any, local_path: Path) -> IndexStore:
    """Stickers where the server has them, else the local index file.

    Raises OSError or sqlite3.Error when the local file cannot be opened (callers retry).
    """
    return MpdStickers(client) if has_stickers(client) else LocalIndex(local_path)


#: What opening or using an index can raise besides a lost connection.
INDEX_ERRORS: tuple[type[Exception], ...] = (*REFUSED, OSError, sqlite3.Error)
