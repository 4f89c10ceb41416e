"""The daemon as systemd runs it: notify socket, watchdog, SIGTERM, failing sources."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.media import media


class NotifySocket:
    """A datagram socket standing in for systemd's $NOTIFY_SOCKET."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.messages: list[str] = []

    def collect(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                self.messages.extend(self.sock.recv(4096).decode().splitlines())
            except TimeoutError:
                continue

    def wait_for(self, field: str, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if field in self.messages:
                return True
            self.collect(0.3)
        return field in self.messages

    def close(self) -> None:
        self.sock.close()


def write_config(tmp_path: Path, models_dir: Path, source: str, privacy: bool = False) -> Path:
    state = tmp_path / "privacy"
    state.write_text("ON\n" if privacy else "OFF\n")
    config = tmp_path / "config.toml"
    config.write_text(f"""
[capture]
source = "{source}"
retry_initial_s = 0.3
retry_max_s = 1.0
[models]
dir = "{models_dir}"
[privacy]
state_file = "{state}"
[mpd]
address = "off"
[mqtt]
url = ""
[http]
bind = ""
[history]
path = "{tmp_path / 'history.sqlite3'}"
""")
    return config


@pytest.fixture
def notify(tmp_path: Path):
    sock = NotifySocket(tmp_path / "notify.sock")
    yield sock
    sock.close()


def start_daemon(config: Path, notify: NotifySocket, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, NOTIFY_SOCKET=str(notify.path), WATCHDOG_USEC="1000000")
    env.pop("WATCHDOG_PID", None)
    return subprocess.Popen([sys.executable, "-m", "today_feeling", "run", "--config", str(config)],
                            env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def stop_daemon(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_ready_watchdog_and_clean_stop_across_source_end(tmp_path, models_dir, notify) -> None:
    video = media("single_face.mp4")  # about 3 s: it ends during the test
    log = tmp_path / "daemon.log"
    proc = start_daemon(write_config(tmp_path, models_dir, str(video)), notify, log)
    try:
        assert notify.wait_for("READY=1", timeout=60), log.read_text()
        notify.collect(8.0)
        assert proc.poll() is None, log.read_text()
        assert "source ended" in log.read_text()
        pings_after_ready = notify.messages[notify.messages.index("READY=1"):].count("WATCHDOG=1")
        assert pings_after_ready >= 8
        assert any(m.startswith("STATUS=") and "fps" in m for m in notify.messages)
    finally:
        code = stop_daemon(proc)
    notify.collect(0.5)
    assert code == 0
    assert "STOPPING=1" in notify.messages
    assert "stopped after" in log.read_text()


def test_failing_source_is_retried_and_the_daemon_stays_up(tmp_path, models_dir, notify) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    shutil.copy(media("single_face.jpg"), folder / "a.jpg")
    (folder / "b.jpg").write_bytes(b"not a jpeg")  # decoding fails every pass
    log = tmp_path / "daemon.log"
    proc = start_daemon(write_config(tmp_path, models_dir, str(folder)), notify, log)
    try:
        assert notify.wait_for("READY=1", timeout=60), log.read_text()
        notify.collect(4.0)
        text = log.read_text()
        assert proc.poll() is None, text
        assert text.count("retrying in") >= 2
        assert "cannot decode image" in text
    finally:
        assert stop_daemon(proc) == 0


def test_privacy_on_at_start_never_opens_the_source(tmp_path, models_dir, notify) -> None:
    log = tmp_path / "daemon.log"
    video = media("single_face.mp4")
    proc = start_daemon(write_config(tmp_path, models_dir, str(video), privacy=True), notify, log)
    try:
        assert notify.wait_for("READY=1", timeout=60), log.read_text()
        notify.collect(2.0)
        assert "WATCHDOG=1" in notify.messages
        assert "opened" not in log.read_text()
    finally:
        assert stop_daemon(proc) == 0
    assert "stopped after 0 analysed frames" in log.read_text()
