"""``today-feeling library demo`` and ``library scan`` end to end, through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.music.conftest import TRACK_COUNT
from today_feeling.cli import main
from today_feeling_dev.local_mpd import LocalMpd


def test_demo_writes_tagged_tracks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["library", "demo", str(tmp_path / "out"), "--count", "3", "--seconds", "4",
                 "--format", "ogg"]) == 0
    files = sorted((tmp_path / "out").glob("*.ogg"))
    assert len(files) == 3
    assert "bpm" in capsys.readouterr().out


def test_scan_command_is_incremental_with_progress(
        mpd_server: LocalMpd, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[mpd]\nmusic_directory = "{mpd_server.music_dir}"\n', encoding="utf-8")
    argv = ["library", "scan", "--mpd", mpd_server.address, "--config", str(config)]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert f"{TRACK_COUNT} tracks: {TRACK_COUNT} analysed" in out
    assert f"scan {TRACK_COUNT}/{TRACK_COUNT} (100%)" in err  # the progress bar, on stderr
    assert main(argv) == 0
    assert f"{TRACK_COUNT} tracks: 0 analysed" in capsys.readouterr().out
    assert main([*argv, "--force", "--no-update"]) == 0
    assert f"{TRACK_COUNT} analysed" in capsys.readouterr().out


def test_scan_over_the_unix_socket_finds_the_music_folder_itself(
        mpd_server: LocalMpd, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["library", "scan", "--mpd", str(mpd_server.socket_path), "--no-update"]) == 0
    assert f"{TRACK_COUNT} analysed" in capsys.readouterr().out


def test_scan_without_mpd_is_an_actionable_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["library", "scan", "--mpd", f"127.0.0.1:{free_port()}"]) == 69
    assert "cannot reach MPD" in capsys.readouterr().err
    assert main(["library", "scan", "--mpd", "off"]) == 69
    assert "pass --mpd" in capsys.readouterr().err
