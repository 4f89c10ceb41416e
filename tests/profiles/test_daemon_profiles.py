"""Profiles through the real daemon on a replayed video and a real mosquitto: enrolment from a
photo folder, the Listener select over MQTT and in Home Assistant discovery, a correction that
adds samples, undo, and forgetting a person."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.broker import Broker
from tests.fixtures.daemon import Daemon, cli
from tests.fixtures.mqtt_probe import Message, Probe
from tests.media import media
from tests.mqtt.schemas import check

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]

DEVICE = "profiles1"
BASE = f"today_feeling/{DEVICE}"
START_TIMEOUT_S = 60.0


@pytest.fixture
def daemon(tmp_path: Path, models_dir: Path) -> Iterator[Daemon]:
    extra = f'[http]\nbind = ""\n[profiles]\ndir = "{tmp_path}/profiles"\ncorrection_window_s = 5.0\n'
    runner = Daemon(tmp_path, models_dir, DEVICE, extra)
    yield runner
    runner.kill_all()


@pytest.fixture
def probe(broker: Broker) -> Iterator[Probe]:
    p = Probe(broker.port, (f"{BASE}/#", "homeassistant/#"))
    yield p
    p.close()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*cli(), *args], check=False, capture_output=True, text=True, timeout=120)


def enrol_from_photos(tmp: Path, models: Path, config: Path, name: str) -> Path:
    """faces crop on a labelled photo folder, then profile enroll: the offline path."""
    photos = tmp / "photos"
    for label, photo in (("기쁨", "0-f15-hao-ph.jpg"), ("분노", "15-f13-anc-ph.jpg"),
                         ("surprised", "0-f1-su-ph.jpg")):
        (photos / label).mkdir(parents=True)
        shutil.copy(media(photo), photos / label / photo)
    crops = tmp / "crops.npz"
    result = run_cli("faces", "crop", str(photos), str(crops), "--models-dir", str(models))
    assert result.returncode == 0, result.stderr
    result = run_cli("profile", "enroll", name, str(crops), "--config", str(config), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["added"] == 3
    assert report["per_emotion"] == {"anger": 1, "fear": 0, "happiness": 1, "sadness": 0,
                                     "surprise": 1, "neutral": 0}
    return Path(report["path"])


def profiles_doc(probe: Probe, after: int, predicate) -> dict:  # type: ignore[no-untyped-def]
    message: Message = probe.wait_for(f"{BASE}/profiles", lambda m: predicate(m.json()), after=after,
                                      timeout=20)
    doc = message.json()
    check("profiles", doc)
    return doc


def test_listener_select_correction_undo_and_forget_over_mqtt(
        daemon: Daemon, probe: Probe, broker: Broker, tmp_path: Path, models_dir: Path) -> None:
    path = enrol_from_photos(tmp_path, models_dir, daemon.config, "ana")
    proc = daemon.start(media("single_face.mp4"), broker.url)
    try:
        probe.wait_text(f"{BASE}/availability", "online", timeout=START_TIMEOUT_S)
    except TimeoutError:
        pytest.fail(f"daemon never came online:\n{daemon.log()[-3000:]}")
    doc = profiles_doc(probe, 0, lambda d: [p["name"] for p in d["profiles"]] == ["ana"])
    assert doc["active"] == "none"
    assert "embedding" not in json.dumps(doc)  # names and counts only
    discovery = probe.wait_for(f"homeassistant/device/{DEVICE}/config",
                               lambda m: "ana" in m.json()["cmps"]["profile"]["options"], timeout=20)
    assert discovery.json()["cmps"]["profile"]["command_topic"] == f"{BASE}/profile/set"

    mark = probe.mark()
    probe.publish(f"{BASE}/profile/set", "ana")
    probe.wait_for(f"{BASE}/profile", lambda m: m.json()["state"] == "ana", after=mark, timeout=10)
    for _ in range(10):  # a couple of seconds of the listener, at most one message per 0.2 s
        probe.wait_for(f"{BASE}/emotion", lambda m: m.json()["faces"] > 0, after=mark, timeout=30)
        mark = probe.mark()

    mark = probe.mark()
    probe.publish(f"{BASE}/correction/set", "fear")
    doc = profiles_doc(probe, mark, lambda d: bool(d["profiles"][0]["corrections"]))
    correction = doc["profiles"][0]["corrections"][0]
    assert correction["emotion"] == "fear"
    assert correction["samples"] >= 3  # ~5 s of the listener at the analysis rate
    stored = json.loads(path.read_text())
    assert sum(s["source"] == "correction" for s in stored["samples"]) == correction["samples"]

    mark = probe.mark()
    probe.publish(f"{BASE}/correction_undo/set", "LAST")
    profiles_doc(probe, mark, lambda d: d["profiles"][0]["corrections"] == [])
    assert not any(s["source"] == "correction" for s in json.loads(path.read_text())["samples"])

    mark = probe.mark()
    probe.publish(f"{BASE}/profile_delete/set", "ana")
    probe.wait_for(f"{BASE}/profile", lambda m: m.json()["state"] == "none", after=mark, timeout=10)
    profiles_doc(probe, mark, lambda d: d["profiles"] == [])
    assert not path.exists()
    assert list(path.parent.iterdir()) == []
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0


def test_a_profile_from_another_model_leaves_the_daemon_uncalibrated(
        daemon: Daemon, probe: Probe, broker: Broker, tmp_path: Path, models_dir: Path) -> None:
    path = enrol_from_photos(tmp_path, models_dir, daemon.config, "bo")
    doc = json.loads(path.read_text())
    doc["model"]["sha256"] = "0" * 64  # as if made with another build of the model
    path.write_text(json.dumps(doc))
    daemon.config.write_text(daemon.config.read_text() + 'active = "bo"\n')
    daemon.start(media("single_face.mp4"), broker.url)
    probe.wait_text(f"{BASE}/availability", "online", timeout=START_TIMEOUT_S)
    probe.wait_for(f"{BASE}/emotion", lambda m: m.json()["faces"] > 0, timeout=30)
    probe.wait_for(f"{BASE}/profile", lambda m: m.json()["state"] == "none", timeout=10)
    refusals = [line for line in daemon.log().splitlines() if "running uncalibrated" in line]
    assert len(refusals) == 1, daemon.log()[-2000:]
    assert "made with emotion model" in refusals[0]
    result = run_cli("eval-emotion", str(tmp_path / "crops.npz"), "--profile", "bo",
                     "--config", str(daemon.config))
    assert result.returncode == 65
    assert "made with emotion model" in result.stderr
