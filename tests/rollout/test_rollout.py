"""A rolling update by the real ansible/site.yml on three devices that boot systemd as PID 1.

Design (fixtures in conftest.py, containers in devices.py, image and releases in image.py):
each device is a systemd-nspawn container booted from one converged Debian image (release 1,
the unit enabled, so every device comes up running the daemon on a replay video), in its own
network namespace, with its own mosquitto. Ansible reaches each device by entering its PID 1's
namespaces (community.docker.nsenter), so the role's systemd tasks, handlers and health gate
(READY=1 seen as ActiveState=active, then a retained ``online`` on the local broker) run against
the device's real systemd.

1. Release 2 (a new wheel version) goes out with ``today_feeling_serial: [1, 2]``: device1
   alone, then device2 and device3; every device ends on release 2, ready and online, and
   device1 reported READY=1 before the second batch's daemons were started.
2. Release 3 goes out one device at a time while device2's host_vars name an emotion model that
   is not in the manifest (config.toml still validates; the daemon exits 66 before READY=1):
   device1 is updated and healthy, device2 fails and site.yml stops, device3 is never touched
   (same daemon process and invocation, still release 2). What catches device2 is the restart
   handler that health.yml flushes: `systemctl restart` of a Type=notify unit waits for READY=1.
3. The MQTT half of the gate: a config change (``--tags today_feeling_config,today_feeling_health``)
   points device1's daemon at a port with no broker; it reports READY=1, so only the retained
   availability (still ``stopped``) fails the host, and the rollout stops before device2.

Each run's output stays in the test's temporary folder (ansible-<run>.log, a profile_tasks
timestamp under every task banner), and so does each device's console log.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.paths import ANSIBLE_DIR, VENV_BIN
from tests.rollout import image
from tests.rollout.conftest import Fleet
from tests.rollout.devices import Device

pytestmark = pytest.mark.slow

UNIT = "today-feeling.service"
PLAYBOOK_TIMEOUT_S = 900
DEVICE_PLAY = "Install and update Today Feeling devices"
#: A timestamp under every task banner: the log shows when each batch ran.
PROFILE = "ansible.posix.profile_tasks"
MISSING_MODEL = "emotion_not_in_the_manifest"
PROPS = ("InvocationID", "MainPID", "ActiveState", "SubState", "ExecMainStatus",
         "ExecMainStartTimestampMonotonic", "ActiveEnterTimestampMonotonic")


@dataclass(frozen=True)
class Rollout:
    result: subprocess.CompletedProcess[str]
    seconds: float
    log: Path

    @property
    def output(self) -> str:
        return self.result.stdout + self.result.stderr


@dataclass(frozen=True)
class DeviceState:
    unit: dict[str, str]
    version: str
    config_sha256: str


def rollout(fleet: Fleet, name: str, wheel: Path, serial: Any,
            host_vars: dict[str, dict[str, Any]] | None = None, *extra: str) -> Rollout:
    inventory = fleet.root / f"inventory-{name}.json"  # JSON is YAML to the inventory plugin
    inventory.write_text(json.dumps(fleet.inventory(wheel, host_vars), indent=2))
    started = time.monotonic()
    result = subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(ANSIBLE_DIR / "site.yml"),
         "-e", json.dumps({"today_feeling_serial": serial}), *extra],
        cwd=ANSIBLE_DIR, env={**image.ansible_env(fleet.root), "ANSIBLE_CALLBACKS_ENABLED": PROFILE},
        check=False, capture_output=True,
        text=True, timeout=PLAYBOOK_TIMEOUT_S)
    log = fleet.root / f"ansible-{name}.log"
    log.write_text(result.stdout + result.stderr)
    return Rollout(result, time.monotonic() - started, log)


def batches(output: str) -> list[list[str]]:
    """The hosts of each run of the device play, in order (serial prints one PLAY per batch)."""
    runs = re.split(r"^PLAY \[", output, flags=re.MULTILINE)[1:]
    found = []
    for run in runs:
        if run.startswith(DEVICE_PLAY):
            hosts = re.findall(r"^(?:ok|changed|fatal|failed|skipping): \[([\w-]+)", run, re.MULTILINE)
            found.append(sorted(set(hosts)))
    return found


def failure(run: Rollout, host: str) -> str:
    """The output of the task or handler that failed ``host`` ("" when none did)."""
    sections = re.split(r"^(?=TASK \[|RUNNING HANDLER \[)", run.output, flags=re.MULTILINE)
    return next((section for section in sections if f"fatal: [{host}]" in section), "")


def state(device: Device) -> DeviceState:
    version = device.run("/opt/today-feeling/venv/bin/python", "-c",
                         "import importlib.metadata as m; print(m.version('today-feeling'))").stdout.strip()
    config = device.run("cat", "/etc/today-feeling/config.toml").stdout
    return DeviceState(device.show(UNIT, *PROPS), version, hashlib.sha256(config.encode()).hexdigest())


def availability(device: Device, name: str) -> str:
    """The retained availability on the device's own broker, read with the device's account."""
    return device.run("mosquitto_sub", "-h", "localhost", "-u", name, "-P", f"{name}-mqtt-password",
                      "-t", f"today_feeling/{name}/availability", "-C", "1", "-W", "5").stdout.strip()


def journal(device: Device) -> str:
    return device.run("journalctl", "--no-pager", "-u", UNIT, "-n", "40").stdout


Snapshots = dict[str, DeviceState]
#: A rollout with the device states before and after it.
Outcome = tuple[Rollout, Snapshots, Snapshots]


def snapshot(fleet: Fleet) -> Snapshots:
    return {name: state(device) for name, device in fleet.devices.items()}


@pytest.fixture(scope="module")
def release2(fleet: Fleet) -> Outcome:
    """Release 2 rolled out in batches of [1, 2]: (the run, states before, states after)."""
    before = snapshot(fleet)
    wheel = image.release_wheel(fleet.app_wheel, 2, fleet.root / "releases")
    run = rollout(fleet, "release2", wheel, [1, 2])
    return run, before, snapshot(fleet)


def test_booted_devices_run_the_image_release(fleet: Fleet) -> None:
    for name, device in fleet.devices.items():
        booted = state(device)
        assert booted.unit["ActiveState"] == "active", journal(device)
        assert booted.version.endswith("+rollout.1"), name


def test_a_good_release_goes_out_batch_by_batch(
        fleet: Fleet, release2: Outcome) -> None:
    run, before, after = release2
    assert run.result.returncode == 0, run.output[-8000:]
    assert batches(run.output) == [["device1"], ["device2", "device3"]]
    for name, device in fleet.devices.items():
        assert after[name].version.endswith("+rollout.2"), name
        assert after[name].unit["ActiveState"] == "active", journal(device)
        assert after[name].unit["InvocationID"] != before[name].unit["InvocationID"], name  # restarted
        assert availability(device, name) == "online"
    first_ready = int(after["device1"].unit["ActiveEnterTimestampMonotonic"])
    for name in ("device2", "device3"):  # one kernel clock: CLOCK_MONOTONIC is not namespaced here
        assert int(after[name].unit["ExecMainStartTimestampMonotonic"]) > first_ready, name
    print(f"release 2 rollout: {run.seconds:.0f} s; log {run.log}")


@pytest.fixture(scope="module")
def release3(fleet: Fleet, release2: Outcome) -> Outcome:
    """Release 3 one device at a time, device2 configured with a model the manifest lacks."""
    assert release2[0].result.returncode == 0, release2[0].output[-8000:]
    before = snapshot(fleet)
    wheel = image.release_wheel(fleet.app_wheel, 3, fleet.root / "releases")
    run = rollout(fleet, "release3", wheel, 1, {"device2": {"today_feeling_models_emotion": MISSING_MODEL}})
    return run, before, snapshot(fleet)


def test_a_release_that_breaks_a_device_stops_the_rollout(
        fleet: Fleet, release3: Outcome) -> None:
    run, before, after = release3
    devices = fleet.devices
    assert run.result.returncode != 0, run.output[-8000:]
    assert batches(run.output) == [["device1"], ["device2"]]
    # systemctl restart of a Type=notify unit waits for READY=1: the restart handler fails
    assert "Unable to restart service today-feeling" in failure(run, "device2"), run.output[-8000:]
    assert "[device3]" not in run.output
    # device1: the new release, restarted, ready and online
    assert after["device1"].version.endswith("+rollout.3")
    assert after["device1"].unit["ActiveState"] == "active", journal(devices["device1"])
    assert after["device1"].unit["InvocationID"] != before["device1"].unit["InvocationID"]
    assert availability(devices["device1"], "device1") == "online"
    # device2: got the release, its daemon never reported READY=1
    assert after["device2"].version.endswith("+rollout.3")
    assert after["device2"].unit["ActiveState"] != "active"
    assert after["device2"].unit["ExecMainStatus"] == "66", journal(devices["device2"])  # EX_NOINPUT
    assert MISSING_MODEL in journal(devices["device2"])
    # device3: untouched
    assert after["device3"] == before["device3"]
    assert after["device3"].version.endswith("+rollout.2")
    assert after["device3"].unit["ActiveState"] == "active"
    print(f"release 3 rollout: {run.seconds:.0f} s; log {run.log}")


def test_a_device_ready_but_offline_fails_the_availability_gate(
        fleet: Fleet, release3: Outcome) -> None:
    """The MQTT half of the gate: device1's daemon starts (READY=1) on a config change that
    points it at a port where no broker listens, so its availability stays "stopped"."""
    before = snapshot(fleet)
    wheel = image.release_wheel(fleet.app_wheel, 3, fleet.root / "releases")
    broken = {"today_feeling_mqtt_url": "mqtt://device1@localhost:1884", "today_feeling_health_timeout": 20}
    run = rollout(fleet, "offline", wheel, 1, {"device1": broken},
                  "--tags", "today_feeling_config,today_feeling_health")
    after = snapshot(fleet)
    assert run.result.returncode != 0, run.output[-8000:]
    assert batches(run.output) == [["device1"]]
    assert "is not 'online' after 20 s (last value stopped)" in failure(run, "device1"), run.output[-8000:]
    assert after["device1"].unit["ActiveState"] == "active"  # READY=1 came: systemd alone would pass it
    assert after["device1"].unit["InvocationID"] != before["device1"].unit["InvocationID"]
    assert availability(fleet.devices["device1"], "device1") == "stopped"
    assert after["device3"] == before["device3"]
    # device2 is left to systemd's own restarts (Restart=on-failure): its files are what matter
    assert (after["device2"].version, after["device2"].config_sha256) == \
        (before["device2"].version, before["device2"].config_sha256)
    assert "[device2]" not in run.output and "[device3]" not in run.output
    print(f"offline rollout: {run.seconds:.0f} s; log {run.log}")
