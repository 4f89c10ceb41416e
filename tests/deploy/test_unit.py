"""The unit file is valid for systemd and hardened to an exposure of at most 1.3."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.paths import UNIT_FILE, tool
from tests.deploy.role_dropin import render_role_dropin
from today_feeling.config.settings import Settings

MAX_EXPOSURE = 1.3
EXAMPLE_DROPIN = UNIT_FILE.parent / "today-feeling.service.d-example.conf"


def _unit_values(key: str) -> list[str]:
    """Every value of KEY in the unit (systemd allows repeated keys; configparser does not)."""
    pattern = re.compile(rf"^{re.escape(key)}=(.*)$")
    return [m.group(1) for line in UNIT_FILE.read_text().splitlines() if (m := pattern.match(line))]


def test_unit_verifies_with_systemd(tmp_path: Path) -> None:
    """systemd-analyze verify: only the ExecStart binary is swapped, it exists on devices only."""
    analyze = tool("systemd-analyze")
    unit = tmp_path / UNIT_FILE.name
    text = UNIT_FILE.read_text()
    assert "ExecStart=/opt/today-feeling/venv/bin/today-feeling run " in text
    unit.write_text(text.replace("/opt/today-feeling/venv/bin/today-feeling", "/bin/true"))
    result = subprocess.run([analyze, "verify", "--man=no", str(unit)],
                            check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_example_dropin_applies_cleanly(tmp_path: Path) -> None:
    """The documented drop-in parses with the unit (unknown keys would only be warned about)."""
    analyze = tool("systemd-analyze")
    dropins = tmp_path / f"{UNIT_FILE.name}.d"
    dropins.mkdir()
    text = UNIT_FILE.read_text().replace("/opt/today-feeling/venv/bin/today-feeling", "/bin/true")
    (tmp_path / UNIT_FILE.name).write_text(text)
    shutil.copy(EXAMPLE_DROPIN, dropins / "50-site.conf")
    result = subprocess.run(
        [analyze, "verify", "--man=no", UNIT_FILE.name], check=False, capture_output=True,
        text=True, timeout=60, env={**os.environ, "SYSTEMD_UNIT_PATH": f"{tmp_path}:"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_unit_exposure_is_at_most_1_3() -> None:
    analyze = tool("systemd-analyze")
    result = subprocess.run(
        [analyze, "security", "--offline=yes", f"--threshold={int(MAX_EXPOSURE * 10)}",
         "--no-pager", str(UNIT_FILE)],
        check=False, capture_output=True, text=True, timeout=60,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= MAX_EXPOSURE, result.stdout
    assert result.returncode == 0, result.stdout


def test_unit_allows_camera_and_coral_devices_only() -> None:
    allowed = {value.split()[0] for value in _unit_values("DeviceAllow")}
    assert allowed == {"char-video4linux", "char-media", "char-dma_heap", "char-apex",
                       "char-usb_device"}
    assert _unit_values("DevicePolicy") == ["closed"]


def test_watchdog_outlasts_the_daemon_stall_limit() -> None:
    """The daemon stops pinging after pipeline.watchdog_stall_s; systemd must not kill it first."""
    watchdog_s = float(_unit_values("WatchdogSec")[0])
    assert watchdog_s > Settings().pipeline.watchdog_stall_s


@pytest.mark.parametrize(("key", "expected"), [
    ("Type", "notify"),
    ("Restart", "on-failure"),
    ("RestartPreventExitStatus", "78"),
    ("User", "today-feeling"),
    ("StateDirectory", "today-feeling"),
    ("ConfigurationDirectory", "today-feeling"),
    ("LoadCredential", "mqtt-password:/etc/today-feeling/credentials/mqtt-password"),
])
def test_unit_service_settings(key: str, expected: str) -> None:
    assert _unit_values(key) == [expected]


def test_unit_is_ordered_after_network_and_mpd_and_rate_limited() -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNIT_FILE)
    after = parser["Unit"]["After"].split()
    assert {"network-online.target", "mpd.service"} <= set(after)
    assert int(parser["Unit"]["StartLimitBurst"]) >= 1
    assert int(parser["Unit"]["StartLimitIntervalSec"]) > 0


def test_netlink_only_where_the_camera_or_coral_stack_needs_it(tmp_path: Path) -> None:
    """The unit allows no netlink; the role's drop-in adds it for libcamera and libusb only."""
    assert _unit_values("RestrictAddressFamilies") == ["AF_UNIX AF_INET AF_INET6"]
    assert "AF_NETLINK" not in render_role_dropin("secret")
    stacks: list[dict[str, object]] = [{"picamera2": True}, {"coral": True},
                                       {"capture_source": "gst:libcamerasrc"}]
    for stack in stacks:
        dropin = render_role_dropin("secret", **stack)
        assert "RestrictAddressFamilies=AF_NETLINK\n" in dropin
        dropins = tmp_path / f"{UNIT_FILE.name}.d"
        dropins.mkdir(exist_ok=True)
        (dropins / "50-ansible.conf").write_text(dropin)
        text = UNIT_FILE.read_text().replace("/opt/today-feeling/venv/bin/today-feeling", "/bin/true")
        (tmp_path / UNIT_FILE.name).write_text(text)
        result = subprocess.run(
            [tool("systemd-analyze"), "verify", "--man=no", UNIT_FILE.name], check=False,
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "SYSTEMD_UNIT_PATH": f"{tmp_path}:"},
        )
        assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
