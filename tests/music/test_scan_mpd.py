"""The library scan against a real mpd: ordering, stickers, incrementality, user mapping."""

from __future__ import annotations

import os
import time

from mpd import MPDClient

from tests.music.conftest import DemoLibrary, mpd_settings
from tests.support.wait import wait_for
from today_feeling.config.music import DirectorSettings
from today_feeling.music import stickers
from today_feeling.music.scan import scan_library
from today_feeling_dev.local_mpd import LocalMpd


def all_stickers(client: MPDClient) -> dict[str, dict[str, str]]:
    return {name: stickers.read_all(client, name) for name in stickers.ALL}


def test_scan_orders_energetic_major_above_calm_minor(
        mpd_server: LocalMpd, client: MPDClient, demo_library: DemoLibrary) -> None:
    result = scan_library(client, mpd_settings(mpd_server), DirectorSettings())
    assert (result.total, result.analysed, result.updated, result.failed) == (12, 12, 12, [])
    tracks = {t.file: t for t in stickers.load_library(client)}
    assert set(tracks) == set(demo_library.tracks)
    fast = [f for f, s in demo_library.tracks.items() if s.bpm >= 110]  # also loud and bright
    slow = [f for f, s in demo_library.tracks.items() if s.bpm < 110]
    assert min(tracks[f].arousal for f in fast) > max(tracks[f].arousal for f in slow)
    for bpm in {s.bpm for s in demo_library.tracks.values()}:
        same = [f for f, s in demo_library.tracks.items() if s.bpm == bpm]
        major = [tracks[f].valence for f in same if demo_library.tracks[f].major]
        minor = [tracks[f].valence for f in same if not demo_library.tracks[f].major]
        assert min(major) > max(minor), bpm
    best = max(tracks.values(), key=lambda t: t.valence + t.arousal)
    spec = demo_library.tracks[best.file]
    assert spec.major
    assert spec.bpm >= 110
    assert "happiness" in best.emotions
    features = stickers.parse_features(stickers.read_all(client, stickers.FEATURES)[best.file])
    assert features is not None
    assert abs(features.tempo_bpm - spec.bpm) < 3


def test_second_scan_touches_nothing(scanned: LocalMpd, client: MPDClient) -> None:
    before = all_stickers(client)
    sticker_db = scanned.root / "sticker.sql"
    mtime = os.stat(sticker_db).st_mtime_ns
    result = scan_library(client, mpd_settings(scanned), DirectorSettings())
    assert (result.analysed, result.updated, result.failed) == (0, 0, [])
    assert all_stickers(client) == before
    assert os.stat(sticker_db).st_mtime_ns == mtime


def test_changed_file_is_reanalysed_alone(scanned: LocalMpd, client: MPDClient,
                                          demo_library: DemoLibrary) -> None:
    target = demo_library.folder / "track-03.flac"
    original = os.stat(target)
    later = time.time() + 5  # MPD compares whole-second modification times
    os.utime(target, (later, later))
    try:
        client.update()
        wait_for(lambda: "updating_db" not in client.status(), what="database update")
        result = scan_library(client, mpd_settings(scanned), DirectorSettings())
    finally:  # the folder is shared by the session's tests
        os.utime(target, ns=(original.st_atime_ns, original.st_mtime_ns))
    assert (result.analysed, result.failed) == (1, [])
    assert result.updated == 1  # only the fingerprint changed


def test_user_mapping_overrides_audio(scanned: LocalMpd, client: MPDClient,
                                      demo_library: DemoLibrary) -> None:
    client.playlistadd("mood-sad", "track-01.flac")  # a fast major track, placed as sad
    settings = DirectorSettings(tag_rules=("genre~ambient=calm",))
    result = scan_library(client, mpd_settings(scanned), settings)
    assert result.analysed == 0  # the mapping does not need the audio again
    tracks = {t.file: t for t in stickers.load_library(client)}
    assert tracks["track-01.flac"].emotions == ("sadness",)
    assert tracks["track-01.flac"].source == "playlist"
    assert tracks["track-01.flac"].valence < 0
    ambient = [f for f, s in demo_library.tracks.items() if s.genre == "Ambient"]
    assert ambient
    assert all(tracks[f].source == "tag" and tracks[f].emotions == ("neutral",)
                           for f in ambient)
