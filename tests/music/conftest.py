"""A real Debian ``mpd`` per test (null output, loopback port, temp db, stickers), demo tracks.

Tracks are synthesised once per session with known tempo, mode and loudness. They are
12 s long: long enough that a skip at second 1 is clearly not a track's natural end,
short enough to analyse quickly; tests reach a track boundary with ``seek``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mpd import MPDClient

from tests.conftest import free_port
from tests.support.wait import wait_for
from today_feeling.config.music import DirectorSettings, MpdSettings
from today_feeling.music.connection import close_quietly, connect
from today_feeling.music.demo import DemoTrack, default_tracks, write_track
from today_feeling.music.scan import scan_library
from today_feeling_dev.local_mpd import LocalMpd

TRACK_SECONDS = 12.0
TRACK_COUNT = 12

if shutil.which("mpd") is None or shutil.which("ffmpeg") is None:
    pytest.skip("needs Debian's mpd and ffmpeg (apt-get install mpd ffmpeg)",
                allow_module_level=True)


@dataclass(frozen=True)
class DemoLibrary:
    folder: Path
    tracks: dict[str, DemoTrack]
    """file name (relative to the music folder) -> known character."""


@pytest.fixture(scope="session")
def demo_library(tmp_path_factory: pytest.TempPathFactory) -> DemoLibrary:
    folder = tmp_path_factory.mktemp("demo-music")
    tracks = {}
    for i, spec in enumerate(default_tracks(TRACK_COUNT)):
        name = f"track-{i + 1:02d}.flac"
        write_track(spec, folder / name, TRACK_SECONDS, seed=i)
        tracks[name] = spec
    return DemoLibrary(folder, tracks)


@pytest.fixture(scope="session")
def sticker_template(tmp_path_factory: pytest.TempPathFactory,
                     demo_library: DemoLibrary) -> Path:
    """A sticker database with the demo library indexed once (saves a scan per test)."""
    server = LocalMpd(tmp_path_factory.mktemp("template"), free_port(),
                      music_dir=demo_library.folder)
    server.start()
    try:
        client = connect(mpd_settings(server))
        _update(client)
        scan_library(client, mpd_settings(server), DirectorSettings())
        close_quietly(client)
    finally:
        server.stop()
    return server.root / "sticker.sql"


def _update(client: MPDClient) -> None:
    client.update()
    wait_for(lambda: "updating_db" not in client.status() and client.stats()["songs"]
             == str(TRACK_COUNT), what="mpd database update")


@pytest.fixture
def mpd_server(request: pytest.FixtureRequest, tmp_path: Path,
               demo_library: DemoLibrary) -> Iterator[LocalMpd]:
    """A fresh mpd on a free loopback port whose database already lists the demo tracks.

    Tests that also ask for ``scanned`` get the library's stickers from the start.
    """
    server = LocalMpd(tmp_path / "mpd", free_port(), music_dir=demo_library.folder)
    server.root.mkdir()
    if "scanned" in request.fixturenames:
        shutil.copy(request.getfixturevalue("sticker_template"), server.root / "sticker.sql")
    server.start()
    try:
        client = connect(mpd_settings(server))
        _update(client)
        close_quietly(client)
        yield server
    finally:
        server.stop()


def mpd_settings(server: Any, **changes: Any) -> MpdSettings:
    """Settings for ``server`` (LocalMpd or LocalMopidy) with fast reconnects (tests must not wait 30 s)."""
    values: dict[str, Any] = {"address": server.address, "music_directory": str(server.music_dir),
                              "retry_initial_s": 0.1, "retry_max_s": 0.5, "timeout_s": 3.0}
    values.update(changes)
    return MpdSettings(**values)


@pytest.fixture
def client(mpd_server: LocalMpd) -> Iterator[MPDClient]:
    """A second MPD client, as a person's phone app would be."""
    conn = connect(mpd_settings(mpd_server))
    yield conn
    close_quietly(conn)


@pytest.fixture
def scanned(mpd_server: LocalMpd) -> LocalMpd:
    """The server with every demo track indexed (stickers from ``sticker_template``)."""
    return mpd_server


# The service rig lives in its own module; importing its fixture here shares it with every
# music test (it needs mpd_settings above, hence the import at the end).
from tests.music.rig import rig_factory  # noqa: E402, F401
