"""`today-feeling run` on a replayed video with a real mosquitto: availability, events with
the documented schema, privacy closing the camera (and surviving a restart), last will."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.fixtures.broker import Broker
from tests.fixtures.daemon import Daemon, cli
from tests.fixtures.mqtt_probe import Message, Probe
from tests.media import media
from tests.mqtt.schemas import check
from today_feeling.domain.emotions import EMOTIONS

# A hang is a failure, never a stuck run (every wait inside is bounded too).
pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]

DEVICE = "daemon1"
BASE = f"today_feeling/{DEVICE}"
START_TIMEOUT_S = 60.0  # model loading on a busy 2-core machine

#: Commit on the first accepted face so a 2 s clip yields a mood; no dashboard, no history.
EXTRA_CONFIG = """
[http]
bind = ""
[mood]
dwell_s = 0.0
min_hold_s = 0.0
commit_threshold = 0.0
hysteresis = 0.0
min_confidence = 0.0
min_face_score = 0.1
"""


class DaemonRunner(Daemon):
    """The shared daemon runner, always on the single-face clip against this test's broker."""

    def __init__(self, tmp: Path, models: Path, broker: Broker) -> None:
        super().__init__(tmp, models, DEVICE, EXTRA_CONFIG)
        self.broker = broker

    def start(self, *_: object) -> subprocess.Popen[bytes]:  # type: ignore[override]
        return super().start(media("single_face.mp4"), self.broker.url)


@pytest.fixture
def daemon(tmp_path: Path, models_dir: Path, broker: Broker) -> Iterator[DaemonRunner]:
    runner = DaemonRunner(tmp_path, models_dir, broker)
    yield runner
    runner.kill_all()


@pytest.fixture
def probe(broker: Broker) -> Iterator[Probe]:
    p = Probe(broker.port, (f"{BASE}/#", "homeassistant/#"))
    yield p
    p.close()


def state_is(value: str) -> Callable[[Message], bool]:
    return lambda m: m.json()["state"] == value


def wait_online(probe: Probe, daemon: DaemonRunner, after: int = 0) -> None:
    try:
        probe.wait_text(f"{BASE}/availability", "online", timeout=START_TIMEOUT_S, after=after)
    except TimeoutError:
        pytest.fail(f"daemon never came online; its log:\n{daemon.log()[-3000:]}")


def test_daemon_publishes_availability_emotion_and_mood(
        daemon: DaemonRunner, probe: Probe) -> None:
    proc = daemon.start()
    wait_online(probe, daemon)
    emotion = probe.wait_for(f"{BASE}/emotion", lambda m: m.json()["faces"] > 0, timeout=30)
    data = emotion.json()
    check("emotion", data)
    assert set(data) == {"label", "probs", "faces", "face_score", "ts"}
    assert data["label"] in EMOTIONS
    assert list(data["probs"]) == list(EMOTIONS)
    assert abs(sum(data["probs"].values()) - 1.0) < 0.01
    assert 0 < data["face_score"] <= 1
    assert abs(data["ts"] - time.time()) < 120
    mood = probe.wait_for(f"{BASE}/mood", lambda m: m.json()["mood"] is not None, timeout=30)
    mood_data = mood.json()
    check("mood", mood_data)
    assert set(mood_data) == {"mood", "previous", "since", "confidence", "ts"}
    assert mood_data["mood"] in EMOTIONS
    assert datetime.fromisoformat(mood_data["since"]).tzinfo is not None
    assert 0 <= mood_data["confidence"] <= 1
    check("state", probe.wait_for(f"{BASE}/privacy").json())
    discovery = probe.wait_for(f"homeassistant/device/{DEVICE}/config").json()
    assert len(discovery["cmps"]) == 15
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    probe.wait_text(f"{BASE}/availability", "stopped")


def test_sigkill_of_the_daemon_publishes_offline(daemon: DaemonRunner, probe: Probe) -> None:
    proc = daemon.start()
    wait_online(probe, daemon)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    probe.wait_text(f"{BASE}/availability", "offline", timeout=20)


def emotions_after(probe: Probe, mark: int) -> list[Message]:
    """Readings of analysed frames (privacy mode's explicit "privacy" label is not one)."""
    return [m for m in probe.messages[mark:]
            if m.topic == f"{BASE}/emotion" and m.json()["label"] != "privacy"]


def test_privacy_closes_the_camera_and_survives_a_restart(
        daemon: DaemonRunner, probe: Probe) -> None:
    proc = daemon.start()
    wait_online(probe, daemon)
    probe.wait_for(f"{BASE}/emotion", timeout=30)
    probe.publish(f"{BASE}/privacy/set", "ON")
    probe.wait_for(f"{BASE}/privacy", state_is("ON"), timeout=10)
    time.sleep(1.0)  # frames already in the pipeline may still be reported
    mark = probe.mark()
    time.sleep(2.0)  # a negative check: the camera is closed, nothing is analysed
    assert emotions_after(probe, mark) == []
    assert (daemon.tmp / "privacy").read_text().strip() == "ON"

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    mark = probe.mark()
    daemon.start()  # privacy is remembered across the restart
    wait_online(probe, daemon, after=mark)
    probe.wait_for(f"{BASE}/privacy", state_is("ON"), after=mark)
    time.sleep(2.0)  # a negative check
    assert emotions_after(probe, mark) == []

    probe.publish(f"{BASE}/privacy/set", "OFF")
    probe.wait_for(f"{BASE}/privacy", state_is("OFF"), after=mark)
    probe.wait_for(f"{BASE}/emotion", after=mark, timeout=30)  # frames flow again


def test_password_in_the_url_is_refused_before_anything_starts(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("")  # all defaults
    result = subprocess.run(
        [*cli(), "run", "--config", str(config), "--source", "0",
         "--mqtt", "mqtt://device:secret@127.0.0.1:1883", "--mpd", "off"],
        check=False, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "edge")},
    )
    assert result.returncode == 78, result.stderr  # EX_CONFIG: systemd must not restart-loop
    assert "mqtt.url" in result.stderr
    assert "must not contain a password" in result.stderr
    assert "secret" not in result.stderr + result.stdout
