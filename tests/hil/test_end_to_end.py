"""Camera to music: a face in front of the camera ends with MPD playing a track the daemon chose.

Needs a face in view (a person, or a screen looping tests/media's single_face.mp4) and music in
MPD's library.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import mpd
import pytest

from tests.hil.conftest import CONFIG, systemctl, wait_for
from today_feeling.config.settings import Settings

FACE_TIMEOUT_S = 60.0
MAX_FRAMES = 2000
PLAY_TIMEOUT_S = float(os.environ.get("TODAY_FEELING_HIL_PLAY_TIMEOUT_S", "240"))
CLI = Path(sys.executable).parent / "today-feeling"


def mpd_client(settings: Settings) -> mpd.MPDClient:
    address = settings.mpd.address
    if address == "off":
        pytest.skip("mpd.address is 'off' in the device config")
    client = mpd.MPDClient()
    client.timeout = 10
    if address.startswith("/"):
        client.connect(address)
    else:
        host, _, port = address.rpartition(":")
        client.connect(host, int(port))
    return client


@pytest.mark.usefixtures("service_stopped")
def test_detect_sees_a_face_on_the_live_camera(settings: Settings, tmp_path: Path) -> None:
    """The CLI on the configured camera reports a face with an emotion within a minute."""
    errors = tmp_path / "detect.stderr"
    with errors.open("w") as stderr:
        proc = subprocess.Popen(
            [str(CLI), "detect", "--config", str(CONFIG), "--json", "--max-frames", str(MAX_FRAMES),
             settings.capture.source],
            stdout=subprocess.PIPE, stderr=stderr, text=True,
        )
        try:
            seen = first_face(proc, time.monotonic() + FACE_TIMEOUT_S)
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    assert seen is not None, ("no face within a minute: is a face (or a face video) in view? "
                              + errors.read_text()[-2000:])
    assert seen["emotion"] in seen["probs"]


def first_face(proc: subprocess.Popen[str], deadline: float) -> dict[str, Any] | None:
    """The first face in detect's JSON lines, or None at the deadline or when detect ends."""
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if not ready:
            if proc.poll() is not None:
                return None
            continue
        line = proc.stdout.readline()
        if not line:
            return None
        faces = json.loads(line).get("faces", [])
        if faces:
            return dict(faces[0])
    return None


def test_daemon_starts_music_for_the_face_in_view(settings: Settings, systemd_unit: str) -> None:
    """Restart the daemon with MPD stopped and empty; the director must start a track."""
    client = mpd_client(settings)
    try:
        if int(client.stats().get("songs", 0)) == 0:
            pytest.skip("MPD's library is empty: copy music to the device (today_feeling_mpd_music_dir)")
        systemctl("stop", systemd_unit)
        client.stop()
        client.clear()
        systemctl("start", systemd_unit)

        def playing() -> bool:
            client.ping()
            return client.status().get("state") == "play" and bool(client.currentsong().get("file"))

        wait_for(playing, PLAY_TIMEOUT_S, "track playing after the daemon saw a face")
    finally:
        client.disconnect()
