"""Mopidy instead of MPD: no stickers, no listallinfo; the index lives in the local file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port
from tests.fixtures.mopidy import MOPIDY_MISSING, LocalMopidy
from tests.music.conftest import DemoLibrary, mpd_settings
from tests.music.rig import Rig
from tests.support.wait import wait_for
from today_feeling.config.music import DirectorSettings, MpdSettings
from today_feeling.music import stickers
from today_feeling.music.connection import close_quietly, connect
from today_feeling.music.health import check_mpd
from today_feeling.music.index_store import LocalIndex, has_stickers
from today_feeling.music.scan import scan_library

if MOPIDY_MISSING:
    pytest.skip(MOPIDY_MISSING, allow_module_level=True)


@pytest.fixture
def mopidy(tmp_path: Path, demo_library: DemoLibrary) -> Iterator[LocalMopidy]:
    server = LocalMopidy(tmp_path / "mopidy", free_port(), demo_library.folder)
    server.start()
    yield server
    server.stop()


def settings_for(server: LocalMopidy, tmp_path: Path) -> MpdSettings:
    return mpd_settings(server, local_index=str(tmp_path / "index.sqlite3"))


def test_the_scan_keeps_the_index_in_the_local_file_keyed_by_uri(
        mopidy: LocalMopidy, tmp_path: Path, demo_library: DemoLibrary) -> None:
    settings = settings_for(mopidy, tmp_path)
    client = connect(settings)
    try:
        assert not has_stickers(client)
        result = scan_library(client, settings, DirectorSettings(tag_rules=("genre~ambient=calm",)))
        assert (result.index, result.total, result.failed) == ("local", len(demo_library.tracks), [])
        assert result.analysed == len(demo_library.tracks)
        again = scan_library(client, settings, DirectorSettings(tag_rules=("genre~ambient=calm",)))
        assert (again.analysed, again.updated) == (0, 0)  # fingerprints from Mopidy's tags
        assert "local index" in check_mpd(settings).detail
    finally:
        close_quietly(client)
    index = LocalIndex(Path(settings.local_index))
    tracks = {t.file: t for t in stickers.load_index(index)}
    assert set(tracks) == {f"local:track:{name}" for name in demo_library.tracks}
    ambient = [f"local:track:{n}" for n, spec in demo_library.tracks.items() if spec.genre == "Ambient"]
    assert all(tracks[f].source == "tag" and tracks[f].emotions == ("neutral",) for f in ambient)
    assert Path(settings.local_index).stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(settings.local_index) as db:  # readable by other tools, by URI
        rows = db.execute("SELECT COUNT(DISTINCT file) FROM song_values").fetchone()
    assert rows == (len(demo_library.tracks),)


def test_the_service_plays_fitting_picks_on_mopidy_and_files_thumbs_locally(
        mopidy: LocalMopidy, tmp_path: Path, rig_factory: Any) -> None:
    settings = settings_for(mopidy, tmp_path)
    client = connect(settings)
    try:
        scan_library(client, settings, DirectorSettings())
    finally:
        close_quietly(client)
    rig: Rig = rig_factory(mopidy, mpd={"local_index": settings.local_index})
    first = rig.first_pick_for("sadness")
    assert first.file.startswith("local:track:")
    person = connect(settings)
    try:
        wait_for(lambda: person.status().get("state") == "play", what="Mopidy playing the pick")
        assert person.currentsong()["file"] == first.file
        rig.controls.trigger("like")
        index = LocalIndex(Path(settings.local_index))
        wait_for(lambda: index.read_all(stickers.FEEDBACK).get(first.file) == "sadness:+1.00",
                 what="the like in the local index")
    finally:
        close_quietly(person)
