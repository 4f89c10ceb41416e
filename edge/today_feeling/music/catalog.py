"""The server's song list and where each song's audio can be read, for MPD and Mopidy alike.

MPD answers ``listallinfo`` with every song and its tags. Mopidy disables that command (its
libraries can be huge and remote); there ``list file`` gives every URI and ``find file URI``
each one's tags. Mopidy reports a song's length as ``time`` where MPD says ``duration``.
A URI maps to a readable file when it is relative (MPD's music folder), ``file://`` or
Mopidy-Local's ``local:track:`` (relative to its media_dir); anything else (Spotify,
Jellyfin, radio) has no audio we can read, and is placed by tags and playlists only.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from today_feeling.music.index_store import REFUSED

logger = logging.getLogger(__name__)

LOCAL_TRACK = "local:track:"
#: A URI scheme as backends write them (lower case, then no space or slash after the colon,
#: unlike MPD paths such as "Live: Berlin/01.flac").
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(//|(?![ /]))")


def list_songs(client: Any) -> list[dict[str, Any]]:
    """Every song with its tags; ``duration`` filled in from ``time`` where only that exists."""
    try:
        songs = [s for s in client.listallinfo() if "file" in s]
    except REFUSED as err:
        logger.info("listallinfo refused (%s): listing songs one by one (Mopidy)", err)
        songs = []
        for row in client.list("file"):
            uri = row.get("file") if isinstance(row, dict) else row
            if not uri:
                continue
            try:
                found = client.find("file", uri)
            except REFUSED as refused:  # one odd URI must not hide the rest of the library
                logger.info("no tags for %s (%s)", uri, refused)
                found = []
            songs.append(dict(found[0]) if found else {"file": uri})
    for song in songs:
        if "duration" not in song and str(song.get("time", "")).replace(".", "", 1).isdigit():
            song["duration"] = song["time"]
    return songs


def needs_music_dir(uri: str) -> bool:
    """Whether ``uri`` names a file relative to the server's music folder."""
    return uri.startswith(LOCAL_TRACK) or not (uri.startswith("file://") or _SCHEME.match(uri))


def audio_path(uri: str, music_dir: Path | None) -> Path | None:
    """The local file behind ``uri``, or None when its audio cannot be read from here."""
    if uri.startswith("file://"):
        return Path(unquote(urlparse(uri).path))
    if uri.startswith(LOCAL_TRACK):
        return music_dir / unquote(uri[len(LOCAL_TRACK):]) if music_dir else None
    if _SCHEME.match(uri):
        return None  # spotify:track:…, http://…, jellyfin:…: a stream, not a file
    return music_dir / uri if music_dir else None


def status_duration(status: dict[str, Any]) -> float:
    """The playing song's length from ``status``: MPD's ``duration``, Mopidy's ``time`` (a:b)."""
    if "duration" in status:
        return float(status["duration"])
    _, _, total = str(status.get("time", "")).partition(":")
    try:
        return float(total)
    except ValueError:
        return 0.0


def song_tag(song: dict[str, Any], name: str) -> str:
    """One tag's value; MPD repeats a tag that has several values (we show the first)."""
    value = song.get(name, "")
    return str(value[0] if isinstance(value, list) and value else value)


@dataclass
class PlayerSnapshot:
    """What the last status said, and when (monotonic)."""

    song_id: str | None = None
    state: str = "stop"
    elapsed: float = 0.0
    duration: float = 0.0
    at: float = 0.0
