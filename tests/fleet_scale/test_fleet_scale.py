"""benchmarks/fleet_scale.py in small: ten real MQTT services against a real central mosquitto.

The script is run as a user runs it (its own broker, device processes and observer, JSON out);
each test takes about ten seconds. The second test is the control that shows the restart check
can fail: without persistence the broker forgets every retained message, and only the
devices' own republishing on reconnection brings the state back.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "fleet_scale.py"
DEVICES = 10
RUN_TIMEOUT_S = 150

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists(),
                       reason="mosquitto is not installed"),
]


def run_simulation(*extra: str) -> dict[str, Any]:
    """Ten devices, 4 s measured after 1 s of warm-up, every period divided by 10."""
    command = [sys.executable, str(SCRIPT), "--devices", str(DEVICES), "--duration", "4",
               "--warmup", "1", "--speed", "10", "--json", *extra]
    done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, cwd=REPO,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_ten_devices_lose_nothing_and_find_their_state_after_a_broker_restart() -> None:
    result = run_simulation("--auth")

    assert result["connected"] == DEVICES
    # Every kind of traffic flowed: readings (QoS 0) and state (QoS 1), a mood on every device.
    assert result["sent"]["qos0"] > 100 and result["sent"]["qos1"] > 0
    assert result["fed"]["mood"] >= DEVICES and result["published"]["mood"] >= 2 * DEVICES
    assert result["lost"] == {"qos0": 0, "qos1": 0}
    assert result["publish_to_receive_ms"]["n"] == result["sent"]["qos0"] + result["sent"]["qos1"]
    persisted = result["restart"]["from_persistence"]
    # The file alone: each device's last mood and track, and the will the broker published.
    assert persisted["complete"], persisted
    assert persisted["found"] == 3 * DEVICES
    assert persisted["availability"] == {"offline": DEVICES}
    back = result["restart"]["after_reconnect"]
    assert back["complete"] and back["availability"] == {"online": DEVICES}, back


def test_a_broker_without_persistence_forgets_and_the_devices_restore_it() -> None:
    result = run_simulation("--no-persistence")

    assert result["lost"]["qos1"] == 0
    persisted = result["restart"]["from_persistence"]
    assert not persisted["complete"]
    assert persisted["found"] == 0 and persisted["missing"] == 3 * DEVICES
    back = result["restart"]["after_reconnect"]
    assert back["complete"] and back["availability"] == {"online": DEVICES}, back
