"""The daemon as systemd runs it: notify socket, watchdog, SIGTERM, failing sources."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
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
        assert f"opened {video}" in log.read_text()  # the wording the privacy test looks for
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


class StreamProbe:
    """A loopback HTTP "camera" that records every request for its stream and hangs up.

    Opening an http:// source connects to it, so an empty ``requests`` proves the daemon never
    opened the source, whatever its log says; the hang-up makes each open fail fast.
    """

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}/stream.mjpg"
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="stream-probe", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2.0)
                try:
                    self.requests.append(conn.recv(4096))
                except OSError:
                    self.requests.append(b"")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()


@pytest.fixture
def stream():
    probe = StreamProbe()
    yield probe
    probe.close()


@pytest.mark.parametrize("kind", ["video", "stream"])
def test_privacy_on_at_start_never_opens_the_source(tmp_path, models_dir, notify, stream,
                                                   kind: str) -> None:
    """A video file would log "opened PATH" (the first test checks it does); a stream would
    connect to the probe (the next test checks it does): neither happens under privacy."""
    log = tmp_path / "daemon.log"
    source = str(media("single_face.mp4")) if kind == "video" else stream.url
    proc = start_daemon(write_config(tmp_path, models_dir, source, privacy=True), notify, log)
    try:
        assert notify.wait_for("READY=1", timeout=60), log.read_text()
        notify.collect(2.0)
        assert "WATCHDOG=1" in notify.messages
        assert stream.requests == []  # not one connection to the camera
        assert "opened" not in log.read_text()
    finally:
        assert stop_daemon(proc) == 0
    assert stream.requests == []
    assert "stopped after 0 analysed frames" in log.read_text()


def test_privacy_off_opens_the_same_source(tmp_path, models_dir, notify, stream) -> None:
    """The control for the test above: the probe does see the daemon open this source."""
    log = tmp_path / "daemon.log"
    proc = start_daemon(write_config(tmp_path, models_dir, stream.url), notify, log)
    try:
        deadline = time.monotonic() + 60  # before READY: the daemon waits a while for a frame
        while not stream.requests and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert stream.requests and stream.requests[0].startswith(b"GET /stream.mjpg"), log.read_text()
    finally:
        assert stop_daemon(proc) == 0
