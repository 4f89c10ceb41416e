"""`today-feeling doctor` against real peers: it tells working from broken, and how to fix."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import free_port
from tests.fixtures.broker import broker, make_broker  # noqa: F401
from tests.media import media


def doctor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "today_feeling", "doctor", "--json", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_everything_reachable_is_ok(models_dir, broker) -> None:  # noqa: F811
    result = doctor("--models-dir", str(models_dir), "--source", str(media("single_face.jpg")),
                    "--mqtt", broker.url, "--mpd", "off")
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert result.returncode == 0, checks
    assert checks["camera"]["detail"].endswith("frame 572x562")
    assert "verified" in checks["models"]["detail"]
    # where each model really runs, as the daemon would load it (no Coral here: the CPU, and why)
    placement = checks["models run on"]["detail"]
    for key in ("blazeface_short", "blazeface_full", "emotion_today_feeling_v5"):
        assert f"{key} on cpu (" in placement, placement
    assert "no compiled *_edgetpu.tflite" in placement


def test_edgetpu_mode_names_every_model_the_coral_cannot_run(models_dir, tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[inference]\naccelerator = "edgetpu"\n')
    result = doctor("--config", str(config), "--models-dir", str(models_dir), "--source",
                    str(media("single_face.jpg")), "--mqtt", "", "--mpd", "off")
    assert result.returncode == 1
    check = {c["name"]: c for c in json.loads(result.stdout)}["models run on"]
    assert not check["ok"]
    assert "blazeface_short is a float model" in check["detail"]
    assert "emotion_today_feeling_v5 has no today_feeling_emotion_v5_int8_edgetpu.tflite" in check["detail"]


def test_broken_peers_are_reported_with_a_fix(tmp_path) -> None:
    result = doctor("--models-dir", str(tmp_path), "--source", str(tmp_path / "absent.mp4"),
                    "--mqtt", f"mqtt://127.0.0.1:{free_port()}", "--mpd", f"127.0.0.1:{free_port()}")
    assert result.returncode == 1
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    for name in ("models", "camera", "mqtt", "mpd"):
        assert not checks[name]["ok"], name
        assert checks[name]["fix"], name
    assert "models fetch" in checks["models"]["fix"]
    assert checks["accelerator"]["ok"]  # auto falls back to the CPU


def test_an_unusable_profile_is_reported_with_a_fix(models_dir, tmp_path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "ana.json").write_text('{"format": 1, "name": "ana"}')  # corrupt
    result = doctor("--models-dir", str(models_dir), "--source", str(media("single_face.jpg")),
                    "--mqtt", "", "--mpd", "off", "--profiles-dir", str(profiles))
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert result.returncode == 1
    assert not checks["profiles"]["ok"]
    assert "ana.json" in checks["profiles"]["detail"]
    assert "profile delete" in checks["profiles"]["fix"]
