"""Which songs have audio we can read, for MPD paths and Mopidy URIs (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from today_feeling.music.catalog import audio_path, needs_music_dir, status_duration

MUSIC = Path("/srv/music")


@pytest.mark.parametrize(("uri", "path"), [
    ("Artist/Album/01 Song.flac", MUSIC / "Artist/Album/01 Song.flac"),
    ("Live: Berlin/01.flac", MUSIC / "Live: Berlin/01.flac"),  # a colon, but an MPD path
    ("local:track:Jazz/Take%20Five.mp3", MUSIC / "Jazz/Take Five.mp3"),  # Mopidy-Local
    ("file:///home/me/Music/a%20b.ogg", Path("/home/me/Music/a b.ogg")),  # Mopidy's file backend
    ("spotify:track:4uLU6hMCjMI75M1A2tKUQC", None),
    ("jellyfin:track:0f3c", None),
    ("http://radio.example/stream.mp3", None),
    ("tunein:station:s12345", None),
])
def test_audio_paths(uri: str, path: Path | None) -> None:
    assert audio_path(uri, MUSIC) == path


def test_without_a_music_folder_only_absolute_uris_are_readable() -> None:
    assert audio_path("file:///m/a.flac", None) == Path("/m/a.flac")
    assert audio_path("a.flac", None) is None and needs_music_dir("a.flac")
    assert audio_path("local:track:a.flac", None) is None and needs_music_dir("local:track:a.flac")
    assert not needs_music_dir("spotify:track:1") and not needs_music_dir("file:///m/a.flac")


def test_duration_from_mpd_and_mopidy_status() -> None:
    assert status_duration({"duration": "241.5", "time": "3:242"}) == 241.5  # MPD
    assert status_duration({"time": "12:30"}) == 30.0  # Mopidy
    assert status_duration({"state": "stop"}) == 0.0
