"""Incremental library scan: place every MPD track on the valence-arousal plane.

Only files whose fingerprint (analysis version, MPD's last-modified, duration) changed
are decoded; the user's mapping (tag rules, per-emotion playlists) is re-applied to
every file on each scan because it is cheap, and stickers are written only where a
value actually changes, so a repeated scan touches nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from today_feeling.config.music import DirectorSettings, MpdSettings
from today_feeling.domain.tag_rules import TagRule, explicit_emotions, parse_tag_rules, playlist_emotion
from today_feeling.music import stickers
from today_feeling.music.analysis import (
    ANALYSIS_VERSION,
    DecodeError,
    Features,
    analyse_file,
    to_valence_arousal,
)
from today_feeling.music.catalog import audio_path, list_songs, needs_music_dir
from today_feeling.music.connection import MpdUnavailableError
from today_feeling.music.index_store import REFUSED, IndexStore, open_index
from today_feeling.music.mood_model import LearnedPoint, MusicMoodModel
from today_feeling.music.space import centroid, suited_emotions

logger = logging.getLogger(__name__)

DEBIAN_MUSIC_DIR = Path("/var/lib/mpd/music")

Progress = Callable[[int, int, str], None]
"""progress(done, total, file) after each file."""


@dataclass
class ScanResult:
    """What a scan did; ``updated`` counts files whose stickers were written."""

    total: int = 0
    analysed: int = 0
    updated: int = 0
    failed: list[str] = field(default_factory=list)
    unreadable: int = 0
    """Songs with no audio file here (streams such as Spotify or radio) and no user mapping."""
    index: str = "stickers"
    """Where the index was written: 'stickers' (the server's) or 'local' (mpd.local_index)."""
    seconds: float = 0.0
    analysis_seconds: float = 0.0


@dataclass(frozen=True)
class _Context:
    music_dir: Path | None
    """None when unknown: only songs with their own file:// path can then be analysed."""
    missing_dir: str
    rules: tuple[TagRule, ...]
    playlists: dict[str, tuple[str, ...]]
    existing: dict[str, dict[str, str]]
    window_s: float
    force: bool
    model: MusicMoodModel | None

    @property
    def method(self) -> str:
        """What places tracks: the learned model's key, or the hand-made features."""
        return self.model.fingerprint if self.model is not None else "features"


def resolve_music_dir(client: Any, settings: MpdSettings) -> Path:
    """Configured folder, else MPD's own (only told to local-socket clients), else Debian's."""
    if settings.music_directory:
        return Path(settings.music_directory).expanduser()
    try:
        return Path(client.config())
    except REFUSED:
        pass  # "config" is refused over TCP (and by Mopidy)
    if DEBIAN_MUSIC_DIR.is_dir():
        return DEBIAN_MUSIC_DIR
    raise MpdUnavailableError(
        "cannot find MPD's music files for analysis: set mpd.music_directory in the config "
        "(MPD tells its music_directory only to clients on its Unix socket)"
    )


def emotion_playlists(client: Any, prefix: str) -> dict[str, tuple[str, ...]]:
    """file -> emotions, from stored playlists named PREFIX+emotion."""
    out: dict[str, list[str]] = {}
    if not prefix:
        return {}
    for row in client.listplaylists():
        emotion = playlist_emotion(str(row.get("playlist", "")), prefix)
        if emotion is None:
            continue
        for file in client.listplaylist(row["playlist"]):
            emotions = out.setdefault(str(file), [])
            if emotion not in emotions:
                emotions.append(emotion)
    return {f: tuple(e) for f, e in out.items()}


def fingerprint(song: dict[str, Any], method: str = "features") -> str:
    """Changes when the file or the way it is analysed changes, so the next scan redoes it."""
    return f"{ANALYSIS_VERSION}|{method}|{song.get('last-modified', '')}|{song.get('duration', '')}"


def scan_library(
    client: Any, mpd: MpdSettings, director: DirectorSettings, *, force: bool = False,
    progress: Progress | None = None, should_stop: Callable[[], bool] = lambda: False,
    model: MusicMoodModel | None = None,
) -> ScanResult:
    """Index every song in MPD's database; safe to interrupt and re-run.

    With ``model`` the learned music-mood model places each track, else the hand-made features.
    """
    index = open_index(client, Path(mpd.local_index).expanduser())
    try:
        return _scan(client, index, mpd, director, force=force, progress=progress,
                     should_stop=should_stop, model=model)
    finally:
        index.close()


def _scan(client: Any, index: IndexStore, mpd: MpdSettings, director: DirectorSettings, *,
          force: bool, progress: Progress | None, should_stop: Callable[[], bool],
          model: MusicMoodModel | None) -> ScanResult:
    started = time.monotonic()
    songs = list_songs(client)
    try:
        music_dir, missing_dir = resolve_music_dir(client, mpd), ""
    except MpdUnavailableError as err:
        music_dir, missing_dir = None, str(err)
    ctx = _Context(
        music_dir=music_dir, missing_dir=missing_dir,
        rules=parse_tag_rules(director.tag_rules),
        playlists=emotion_playlists(client, director.playlist_prefix),
        existing={name: index.read_all(name) for name in stickers.ALL},
        window_s=director.analysis_window_s, force=force, model=model,
    )
    result = ScanResult(total=len(songs), index=index.kind)
    for done, song in enumerate(songs, start=1):
        if should_stop():
            break
        _scan_one(index, song, ctx, result)
        if progress is not None:
            progress(done, len(songs), str(song["file"]))
    result.seconds = time.monotonic() - started
    logger.info("library scan: %d tracks, %d analysed, %d updated, %d failed, %d without readable "
                "audio in %.1f s (index: %s)", result.total, result.analysed, result.updated,
                len(result.failed), result.unreadable, result.seconds, result.index)
    return result


def _scan_one(index: IndexStore, song: dict[str, Any], ctx: _Context, result: ScanResult) -> None:
    file = str(song["file"])
    old = {name: values.get(file) for name, values in ctx.existing.items()}
    fp = fingerprint(song, ctx.method)
    features = None if ctx.force or old[stickers.FINGERPRINT] != fp else (
        stickers.parse_analysis(old[stickers.FEATURES] or ""))
    if features is None:
        path = audio_path(file, ctx.music_dir)
        if path is None and ctx.music_dir is None and needs_music_dir(file):
            raise MpdUnavailableError(ctx.missing_dir)
        if path is not None:
            features = _analyse(ctx, path, song, result)
            if features is None:
                return
    desired = _placement(file, song, features, ctx)
    if desired is None:
        result.unreadable += 1
        return
    desired[stickers.FINGERPRINT] = fp
    changed = {k: v for k, v in desired.items() if old.get(k) != v}
    if changed:
        index.write(file, changed)
        result.updated += 1


def _analyse(ctx: _Context, path: Path, song: dict[str, Any],
             result: ScanResult) -> Features | LearnedPoint | None:
    file = str(song["file"])
    duration = float(song["duration"]) if "duration" in song else None
    started = time.monotonic()
    try:
        features: Features | LearnedPoint
        if ctx.model is not None:
            features = LearnedPoint(ctx.model.key, *ctx.model.place_file(path, duration, ctx.window_s))
        else:
            features = analyse_file(path, duration, ctx.window_s)
    except DecodeError as err:
        logger.warning("cannot analyse %s: %s", file, err)
        result.failed.append(file)
        return None
    result.analysed += 1
    result.analysis_seconds += time.monotonic() - started
    # Round-trip through the sticker text so that this scan and the next, which reads the
    # features back from the sticker, compute exactly the same placement.
    return stickers.parse_analysis(features.describe())


def _placement(file: str, tags: dict[str, Any], features: Features | LearnedPoint | None,
               ctx: _Context) -> dict[str, str] | None:
    """Index values: the user's mapping where there is one, else the audio analysis.

    None for a stream nobody mapped: there is nothing to place it by.
    """
    emotions, source = explicit_emotions(file, tags, ctx.rules, ctx.playlists)
    if emotions:
        valence, arousal = centroid(emotions)
    elif features is None:
        return None
    else:
        valence, arousal = features.point if isinstance(features, LearnedPoint) else (
            to_valence_arousal(features))
        emotions, source = suited_emotions((valence, arousal)), "audio"
    return {
        stickers.VALENCE: f"{valence:.3f}",
        stickers.AROUSAL: f"{arousal:.3f}",
        stickers.EMOTIONS: ",".join(emotions),
        stickers.SOURCE: source,
        stickers.FEATURES: features.describe() if features is not None else "",
    }
