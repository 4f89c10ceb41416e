"""``today-feeling library scan|demo``: index the MPD library by mood, or make a demo library."""

from __future__ import annotations

import argparse
import dataclasses
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from today_feeling.commands.common import add_config_argument, settings_from_args
from today_feeling.config.music import MpdSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    scan = sub.add_parser("scan", help="analyse new or changed tracks and store their mood "
                                       "as MPD stickers")
    add_config_argument(scan)
    scan.add_argument("--mpd", default=None, metavar="HOST:PORT",
                      help="MPD address or socket path (default: config key mpd.address)")
    scan.add_argument("--music-dir", default=None, type=Path,
                      help="where MPD's music files are (default: config key "
                           "mpd.music_directory, else asked from MPD)")
    scan.add_argument("--force", action="store_true", help="re-analyse every track")
    scan.add_argument("--no-update", action="store_true",
                      help="do not ask MPD to update its database first")
    demo = sub.add_parser("demo", help="synthesise tracks of known tempo, mode and loudness")
    demo.add_argument("outdir", type=Path)
    demo.add_argument("--count", type=int, default=12, help="number of tracks (default 12)")
    demo.add_argument("--seconds", type=float, default=30.0, help="track length (default 30)")
    demo.add_argument("--format", choices=("flac", "ogg", "wav"), default="flac")


def run(args: argparse.Namespace) -> int:
    if args.action == "demo":
        return _demo(args)
    return _scan(args)


def _demo(args: argparse.Namespace) -> int:
    from today_feeling.music.demo import generate

    for path, spec in generate(args.outdir, args.count, args.seconds, args.format):
        print(f"{path}  {spec.title}  [{spec.genre}]")
    return 0


def _scan(args: argparse.Namespace) -> int:

    from today_feeling.music.connection import CONNECTION_ERRORS, MpdUnavailableError, close_quietly
    from today_feeling.music.index_store import REFUSED
    from today_feeling.music.mood_model import load_configured
    from today_feeling.music.scan import scan_library

    settings = settings_from_args(args)
    mpd = settings.mpd
    if args.mpd:
        mpd = dataclasses.replace(mpd, address=args.mpd)
    if args.music_dir:
        mpd = dataclasses.replace(mpd, music_directory=str(args.music_dir))
    model = load_configured(settings.models)
    print(f"placing tracks by {'the music model ' + model.key if model else 'audio features'}",
          file=sys.stderr)
    client = _connect(mpd)
    try:
        if not args.no_update:
            _update_database(client, mpd.timeout_s * 60)
        bar = ProgressBar(sys.stderr)
        result = scan_library(client, mpd, settings.director, force=args.force,
                              progress=bar.update, model=model)
        bar.finish()
    except (sqlite3.Error, PermissionError) as err:  # before OSError: not the connection
        raise MpdUnavailableError(f"cannot write the local mood index {mpd.local_index} ({err}): "
                                  "check mpd.local_index and its folder's permissions") from err
    except CONNECTION_ERRORS as err:
        raise MpdUnavailableError(f"lost MPD at {mpd.address} during the scan ({err}); run it "
                                  "again: finished tracks are kept") from err
    except REFUSED as err:
        raise MpdUnavailableError(f"the music server refused a scan command ({err}): MPD needs "
                                  "write access to its sticker_file (or none, then "
                                  "mpd.local_index is used)") from err
    finally:
        close_quietly(client)
    per_track = result.analysis_seconds / result.analysed if result.analysed else 0.0
    print(f"{result.total} tracks: {result.analysed} analysed ({per_track:.2f} s each), "
          f"{result.updated} updated, {len(result.failed)} failed, {result.seconds:.1f} s")
    if result.unreadable:
        print(f"  {result.unreadable} without readable audio (streams) and no playlist or tag "
              "rule: not indexed")
    if result.index == "local":
        print(f"  the server keeps no stickers: index in {mpd.local_index}")
    for file in result.failed:
        print(f"  failed: {file}")
    return 1 if result.failed else 0


def _connect(mpd: MpdSettings) -> Any:
    """Connect for the scan, turning socket and password failures into actionable errors."""
    from mpd import CommandError

    from today_feeling.music.connection import CONNECTION_ERRORS, MpdUnavailableError, connect

    if mpd.address.strip().lower() == "off":
        raise MpdUnavailableError("MPD is disabled (mpd.address = off): pass --mpd HOST:PORT")
    try:
        return connect(mpd)
    except CommandError as err:
        raise MpdUnavailableError(f"MPD at {mpd.address} refused us ({err}): check "
                                  "mpd.password_file") from err
    except CONNECTION_ERRORS as err:
        raise MpdUnavailableError(f"cannot reach MPD at {mpd.address} ({err}): start it "
                                  "(sudo systemctl start mpd) or pass --mpd HOST:PORT") from err


def _update_database(client: Any, timeout_s: float) -> None:
    """Ask MPD to pick up new files, and wait (bounded) for it to finish."""
    client.update()
    deadline = time.monotonic() + timeout_s
    while "updating_db" in client.status() and time.monotonic() < deadline:
        time.sleep(0.2)


class ProgressBar:
    """A one-line bar on a terminal; one line per 10 % when the stream is not a TTY (logs)."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self._stream = stream
        self._width = width
        self._tty = stream.isatty()
        self._last_decile = -1

    def update(self, done: int, total: int, name: str) -> None:
        frac = done / total if total else 1.0
        if self._tty:
            filled = int(frac * self._width)
            bar = "#" * filled + "." * (self._width - filled)
            self._stream.write(f"\r[{bar}] {done}/{total} {name[-40:]:40s}")
        elif int(frac * 10) != self._last_decile:
            self._last_decile = int(frac * 10)
            self._stream.write(f"scan {done}/{total} ({frac:.0%}) {name}\n")
        self._stream.flush()

    def finish(self) -> None:
        if self._tty:
            self._stream.write("\n")
            self._stream.flush()
