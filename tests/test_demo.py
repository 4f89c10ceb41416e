"""The README's first command: the whole demo (daemon, MPD, broker, dashboard) on loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, free_port
from tests.fixtures.demo_health import READER, demo_health

pytestmark = pytest.mark.slow


def test_demo_runs_everything_and_stops_cleanly(tmp_path: Path, models_dir: Path) -> None:
    if not (REPO_ROOT / ".venv" / "bin" / "today-feeling").exists():
        pytest.skip("the demo runs from .venv: bash scripts/setup.sh first")
    ports = {name: str(free_port()) for name in ("MQTT_PORT", "WS_PORT", "MPD_PORT", "HTTP_PORT")}
    env = dict(os.environ, DEMO_SECONDS="45", DEMO_DIR=str(tmp_path / "demo"), **ports)
    log = (tmp_path / "demo.log").open("wb")
    # Its own process group, so a failing test can stop the broker and MPD it started too.
    proc = subprocess.Popen(["bash", "scripts/demo.sh"], cwd=REPO_ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        health = None
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            health = demo_health(int(ports["HTTP_PORT"]))
            services = (health or {}).get("services", {})
            if health and health.get("mood") and len(services) == 3 and all(services.values()):
                break
            time.sleep(1)
        assert health is not None, (tmp_path / "demo.log").read_text()
        assert health["mood"] in {"anger", "fear", "happiness", "sadness", "surprise", "neutral"}
        assert health["services"] == {"mqtt": True, "camera": True, "mpd": True}
        track = subprocess.run(
            ["mosquitto_sub", "-p", ports["MQTT_PORT"], "-u", READER[0], "-P", READER[1],
             "-t", "today_feeling/demo/track", "-C", "1", "-W", "20"],
            capture_output=True, text=True, timeout=30, check=False)
        assert json.loads(track.stdout)["reason"], track
        assert proc.wait(timeout=60) == 0
        # A calm first run: no warning on the demo's screen (issue 20: twelve "cannot analyse").
        warnings = [line for line in (tmp_path / "demo.log").read_text().splitlines()
                    if line.startswith(("WARNING", "ERROR"))]
        assert warnings == [], warnings
        # All its state under DEMO_DIR: two demos never share a history or a privacy flag.
        assert (tmp_path / "demo" / "history.sqlite3").exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    text = (tmp_path / "demo.log").read_text()
    assert "stopped after" in text
