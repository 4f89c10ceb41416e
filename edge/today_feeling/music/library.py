"""The in-memory library index the director picks from, and the background rescanner."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from mpd import CommandError

from today_feeling.config.music import DirectorSettings, MpdSettings
from today_feeling.errors import TodayFeelingError
from today_feeling.music.connection import CONNECTION_ERRORS, close_quietly, connect
from today_feeling.music.scan import scan_library
from today_feeling.music.space import TrackMood

logger = logging.getLogger(__name__)

_SCAN_ERRORS: tuple[type[Exception], ...] = (TodayFeelingError, CommandError, *CONNECTION_ERRORS)


class Library:
    """Tracks by file; replaced wholesale on reload (only the service thread touches it)."""

    def __init__(self) -> None:
        self._tracks: list[TrackMood] = []
        self._by_file: dict[str, TrackMood] = {}

    def replace(self, tracks: Sequence[TrackMood]) -> None:
        self._tracks = list(tracks)
        self._by_file = {t.file: t for t in tracks}

    def discard(self, file: str) -> None:
        self._tracks = [t for t in self._tracks if t.file != file]
        self._by_file.pop(file, None)

    def tracks(self) -> list[TrackMood]:
        return self._tracks

    def get(self, file: str) -> TrackMood | None:
        return self._by_file.get(file)


class Rescanner:
    """Runs incremental scans on its own connection and thread, one at a time.

    Decoding audio takes seconds per file on a Pi, so it must never run on the thread
    that follows the player. Results arrive through MPD ``sticker`` events.
    """

    def __init__(self, mpd: MpdSettings, director: DirectorSettings, address: str,
                 on_done: Callable[[], None]) -> None:
        self._mpd = mpd
        self._director = director
        self._address = address
        self._on_done = on_done
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._again = False

    def request(self) -> None:
        """Scan now, or once more after the running scan (new files may have arrived)."""
        if self._thread is not None and self._thread.is_alive():
            self._again = True
            return
        self._thread = threading.Thread(target=self._run, name="tf-music-scan", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 3.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._again = False
            self._scan_once()
            if not self._again:
                break
        self._on_done()

    def _scan_once(self) -> None:
        client = None
        try:
            client = connect(self._mpd, self._address)
            scan_library(client, self._mpd, self._director, should_stop=self._stop.is_set)
        except _SCAN_ERRORS as err:
            logger.warning("library scan failed: %s", err)
        finally:
            close_quietly(client)
