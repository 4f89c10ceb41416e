"""The in-memory library index the director picks from, and the background rescanner."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence

from today_feeling.config.music import DirectorSettings, MpdSettings
from today_feeling.errors import TodayFeelingError
from today_feeling.music.connection import CONNECTION_ERRORS, close_quietly, connect
from today_feeling.music.index_store import INDEX_ERRORS
from today_feeling.music.mood_model import MusicMoodModel
from today_feeling.music.scan import Progress, scan_library
from today_feeling.music.space import TrackMood

logger = logging.getLogger(__name__)

_SCAN_ERRORS: tuple[type[Exception], ...] = (TodayFeelingError, *INDEX_ERRORS, *CONNECTION_ERRORS)

IDLE_NICENESS = 19


def lower_thread_priority(niceness: int = IDLE_NICENESS) -> bool:
    """Make the calling thread (and the ffmpeg it starts) yield the CPU to everything else.

    On Linux a thread is a task with its own nice value, so this leaves the camera and
    analysis threads at their priority; elsewhere it is a no-op. True when it took effect.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except (AttributeError, OSError) as err:
        logger.debug("could not lower the scan thread's priority: %s", err)
        return False
    return True


class Library:
    """Tracks by file; replaced wholesale on reload (only the service thread touches it)."""

    def __init__(self) -> None:
        self._tracks: list[TrackMood] = []
        self._by_file: dict[str, TrackMood] = {}

    def replace(self, tracks: Sequence[TrackMood]) -> None:
        self._tracks = list(tracks)
        self._by_file = {t.file: t for t in tracks}

    def put(self, track: TrackMood) -> None:
        """Add or replace one track (e.g. after the listener's thumbs changed its score)."""
        if track.file in self._by_file:
            self._tracks = [track if t.file == track.file else t for t in self._tracks]
        else:
            self._tracks = [*self._tracks, track]
        self._by_file[track.file] = track

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
    that follows the player, and it runs at idle priority so the analysis loop never waits
    for it. The music model is loaded per scan and dropped after it, so its memory is held
    only while there is work. Results arrive through MPD ``sticker`` events.
    """

    def __init__(self, mpd: MpdSettings, director: DirectorSettings, address: str,
                 on_done: Callable[[], None], *,
                 load_model: Callable[[], MusicMoodModel | None] = lambda: None,
                 progress: Progress | None = None) -> None:
        self._mpd = mpd
        self._director = director
        self._address = address
        self._on_done = on_done
        self._load_model = load_model
        self._progress = progress
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
        lower_thread_priority()
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
            scan_library(client, self._mpd, self._director, should_stop=self._stop.is_set,
                         model=self._load_model(), progress=self._progress)
        except _SCAN_ERRORS as err:
            logger.warning("library scan failed: %s", err)
        finally:
            close_quietly(client)
