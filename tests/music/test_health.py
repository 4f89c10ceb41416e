"""The doctor's MPD check against a real mpd, an absent one and a refused password."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import free_port
from tests.music.conftest import TRACK_COUNT, DemoLibrary, mpd_settings
from today_feeling.config.music import MpdSettings
from today_feeling.music.health import check_mpd
from today_feeling_dev.local_mpd import LocalMpd


def test_counts_indexed_songs(scanned: LocalMpd) -> None:
    health = check_mpd(mpd_settings(scanned))
    assert health.ok
    assert f"{TRACK_COUNT} songs, {TRACK_COUNT} indexed by mood" in health.detail
    assert not health.fix


def test_unindexed_library_suggests_a_scan(mpd_server: LocalMpd) -> None:
    health = check_mpd(mpd_settings(mpd_server))
    assert health.ok
    assert "library scan" in health.fix


def test_absent_mpd_says_what_to_do() -> None:
    health = check_mpd(MpdSettings(address=f"127.0.0.1:{free_port()}", timeout_s=1.0))
    assert not health.ok
    assert "unreachable" in health.detail
    assert "mpd.address" in health.fix


def test_wrong_password_is_refused(tmp_path: Path, demo_library: DemoLibrary) -> None:
    server = LocalMpd(tmp_path / "mpd", free_port(), music_dir=demo_library.folder,
                      password="right")
    server.root.mkdir()
    (tmp_path / "pw").write_text("wrong\n", encoding="utf-8")
    server.start()
    try:
        health = check_mpd(mpd_settings(server, password_file=str(tmp_path / "pw")))
    finally:
        server.stop()
    assert not health.ok
    assert "password" in health.fix
