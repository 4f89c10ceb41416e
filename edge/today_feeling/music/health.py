"""A one-shot MPD check for ``today-feeling doctor``: reachable, allowed, indexed?"""

from __future__ import annotations

import logging
from pathlib import Path

from mpd import CommandError

from today_feeling.checks import Check
from today_feeling.config.music import MpdSettings
from today_feeling.errors import TodayFeelingError
from today_feeling.music import stickers
from today_feeling.music.connection import CONNECTION_ERRORS, close_quietly, connect
from today_feeling.music.index_store import LocalIndex, has_stickers

logger = logging.getLogger(__name__)

_UNREACHABLE: tuple[type[Exception], ...] = (TodayFeelingError, *CONNECTION_ERRORS)


def _local_values(path: Path) -> dict[str, str]:
    """Indexed songs in the local index, opened read-only: doctor may run as another user."""
    if not path.is_file():
        return {}
    index = LocalIndex(path, create=False)
    try:
        return index.read_all(stickers.VALENCE)
    finally:
        index.close()


def check_mpd(settings: MpdSettings) -> Check:
    """Connect once (with the password), count songs and how many carry a mood sticker."""
    client = None
    try:
        client = connect(settings)
        songs = int(client.stats().get("songs", 0))
        local = Path(settings.local_index).expanduser()
        kind = "stickers" if has_stickers(client) else "local"
        indexed = len(_local_values(local)) if kind == "local" else len(
            stickers.read_all(client, stickers.VALENCE))
        version = client.mpd_version
    except CommandError as err:
        return Check("mpd", False, f"MPD at {settings.address} refused: {err}",
                         "check mpd.password_file (MPD's 'password' setting)")
    except _UNREACHABLE as err:
        return Check("mpd", False, f"MPD at {settings.address} unreachable: {err}",
                         "sudo systemctl start mpd, or set mpd.address (or run with --mpd off)")
    finally:
        close_quietly(client)
    where = "" if kind == "stickers" else f" (local index {settings.local_index}: no stickers)"
    detail = f"MPD {version} at {settings.address}: {songs} songs, {indexed} indexed by mood{where}"
    if songs and indexed < songs:
        return Check("mpd", True, detail, f"run 'today-feeling library scan' to index "
                                          f"{songs - indexed} more")
    return Check("mpd", True, detail)
