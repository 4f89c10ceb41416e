"""A private, user-level MPD on a folder: for the README demo and the tests (checkout only).

Runs Debian's ``mpd`` in the foreground with its own config (null audio output with a
software mixer so volume works, loopback TCP plus a Unix socket, no zeroconf), so it
never touches a system MPD. ``python -m today_feeling_dev.local_mpd DIR`` runs one
until Ctrl-C.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from today_feeling.model_store.registry import user_models_dir

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_prctl: Callable[[int, int], int] | None
try:  # resolved here, in the parent, so the child only makes one plain call
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _prctl = None


def _die_with_parent() -> None:
    """In the child (Linux): get SIGTERM when the starting thread dies, even by SIGKILL.

    A killed test run or demo must not leave an mpd behind holding its port.
    """
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class LocalMpd:
    """One mpd process whose files all live under ``root``."""

    def __init__(self, root: Path, port: int, music_dir: Path | None = None, *,
                 audio: str = "null", binary: str = "mpd", password: str | None = None) -> None:
        self.root = root
        self.port = port
        self.music_dir = music_dir or root / "music"
        self.audio = audio
        self.binary = binary
        self.password = password
        """When set, clients without it may only read (MPD's default_permissions)."""
        self.socket_path = root / "socket"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        for sub in (self.music_dir, self.root / "playlists"):
            sub.mkdir(parents=True, exist_ok=True)
        output = ('audio_output {\n  type "null"\n  name "null"\n  mixer_type "software"\n}\n'
                  if self.audio == "null" else
                  f'audio_output {{\n  type "{self.audio}"\n  name "{self.audio}"\n}}\n')
        if self.password:
            output += (f'password "{self.password}@read,add,control,admin"\n'
                       'default_permissions "read"\n')
        conf = self.root / "mpd.conf"
        conf.write_text(
            f'music_directory "{self.music_dir}"\n'
            f'playlist_directory "{self.root / "playlists"}"\n'
            f'db_file "{self.root / "database"}"\n'
            f'state_file "{self.root / "state"}"\n'
            f'sticker_file "{self.root / "sticker.sql"}"\n'
            f'log_file "{self.root / "mpd.log"}"\n'
            f'bind_to_address "127.0.0.1"\n'
            f'bind_to_address "{self.socket_path}"\n'
            f'port "{self.port}"\n'
            'zeroconf_enabled "no"\n'
            'auto_update "no"\n' + output,
            encoding="utf-8",
        )
        return conf

    def start(self, timeout_s: float = 15.0) -> None:
        """Start mpd and return once it accepts connections (raises RuntimeError otherwise)."""
        conf = self.write_config()
        self._proc = subprocess.Popen(
            [self.binary, "--no-daemon", str(conf)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - one pre-resolved syscall, no locks
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"mpd exited with {self._proc.returncode}; see "
                                   f"{self.root / 'mpd.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"mpd did not listen on port {self.port} within {timeout_s} s")

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crash would (tests of reconnection)."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(timeout=5)
            self._proc = None

    def stop(self, timeout_s: float = 5.0) -> None:
        """Terminate (mpd saves its state), killing it if it does not exit in time."""
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=5)
        self._proc = None


def main() -> None:
    parser = argparse.ArgumentParser(description="run a private MPD for the demo")
    parser.add_argument("root", type=Path, help="folder for mpd's config, db and stickers")
    parser.add_argument("--port", type=int, default=6601)
    parser.add_argument("--music", type=Path, default=None, help="music folder (ROOT/music)")
    parser.add_argument("--audio", default="null",
                        help="'null' (silent), or an output type such as pulse, pipewire, alsa")
    parser.add_argument("--scan", action="store_true",
                        help="update MPD's database and index the library by mood once started")
    parser.add_argument("--models-dir", type=Path, default=None,
                        help="models folder for the music-mood model (default: where setup.sh "
                             "fetches them, ~/.cache/today-feeling/models)")
    args = parser.parse_args()
    mpd = LocalMpd(args.root.resolve(), args.port, args.music and args.music.resolve(),
                   audio=args.audio)
    # SIGTERM (systemd, a script's trap) must still stop mpd: turn it into SystemExit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    mpd.start()
    try:
        if args.scan:
            _index(mpd, args.models_dir or user_models_dir())
        print(f"mpd listening on {mpd.address} (socket {mpd.socket_path}); Ctrl-C stops it",
              flush=True)
        while mpd.running:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        mpd.stop()


def _index(mpd: LocalMpd, models_dir: Path) -> None:
    """Update the database and run an incremental mood scan (instant when nothing changed).

    It places tracks with the music-mood model when one is in ``models_dir`` (as the daemon
    will), so the daemon's own scan finds nothing left to do.
    """
    from today_feeling.config.music import DirectorSettings, MpdSettings
    from today_feeling.config.settings import ModelSettings
    from today_feeling.music.connection import close_quietly, connect
    from today_feeling.music.mood_model import load_configured
    from today_feeling.music.scan import scan_library

    settings = MpdSettings(address=str(mpd.socket_path), music_directory=str(mpd.music_dir))
    client = connect(settings)
    try:
        client.update()
        deadline = time.monotonic() + 300
        while "updating_db" in client.status() and time.monotonic() < deadline:
            time.sleep(0.1)
        model = load_configured(ModelSettings(dir=str(models_dir)))
        result = scan_library(client, settings, DirectorSettings(), model=model)
        method = model.key if model else "audio features"
        print(f"indexed {result.total} tracks ({result.analysed} analysed, {method})", flush=True)
    finally:
        close_quietly(client)


if __name__ == "__main__":
    main()
