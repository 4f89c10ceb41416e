"""Hardware-in-the-loop fixtures: run on a provisioned device (ansible/site.yml), as root.

    pytest -m hil --hil tests/hil          (or: ansible-playbook -i inventory.yml ansible/hil.yml)

Every test here is skipped without --hil, and each says which piece of hardware or setup it
is missing. The rig needs: the camera, a face in view (a person, or a screen looping a video
of one), music in MPD's library, the local broker managed by the role; a Coral is optional.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from today_feeling.config.loader import load_settings
from today_feeling.config.settings import Settings

CONFIG = Path(os.environ.get("TODAY_FEELING_HIL_CONFIG", "/etc/today-feeling/config.toml"))
SERVICE = "today-feeling.service"
HIL_SKIP = ("hardware-in-the-loop test: run it on a provisioned device with "
            "`pytest -m hil --hil tests/hil` or ansible/hil.yml")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.hil)
            if not config.getoption("--hil"):
                item.add_marker(pytest.mark.skip(reason=HIL_SKIP))


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The device's own configuration, as the service reads it."""
    if not CONFIG.is_file():
        pytest.skip(f"{CONFIG} is missing: provision the device with ansible/site.yml first "
                    "(or set TODAY_FEELING_HIL_CONFIG)")
    return load_settings(CONFIG, required=True)


def systemctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["systemctl", *args], check=False, capture_output=True, text=True,
                          timeout=120)


def unit_property(unit: str, name: str) -> str:
    return systemctl("show", unit, f"--property={name}", "--value").stdout.strip()


def timespan_s(value: str) -> float:
    """Seconds in a systemd time span as `systemctl show` prints it ("3min", "30s", "1min 30s")."""
    out = subprocess.run(["systemd-analyze", "timespan", value], check=True, capture_output=True,
                         text=True, timeout=30).stdout
    micros = next(line.split(":", 1)[1] for line in out.splitlines() if "μs:" in line)
    return int(micros.strip()) / 1e6


def wait_for(predicate: Callable[[], bool], timeout_s: float, what: str, poll_s: float = 1.0) -> None:
    """Poll until predicate() holds; fail naming what did not happen."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"no {what} within {timeout_s:.0f} s"
        time.sleep(poll_s)


@pytest.fixture(scope="session")
def systemd_unit() -> str:
    """The installed unit; skips off-device (no systemd as PID 1, or not installed)."""
    if not Path("/run/systemd/system").is_dir():
        pytest.skip("systemd is not PID 1 here: watchdog and service tests need a real device")
    if os.geteuid() != 0:
        pytest.skip("HIL service tests stop and start units: run them as root")
    if systemctl("cat", SERVICE).returncode != 0:
        pytest.skip(f"{SERVICE} is not installed: provision the device with ansible/site.yml")
    return SERVICE


@pytest.fixture
def service_running(systemd_unit: str) -> str:
    """The daemon up and READY (started if needed)."""
    if unit_property(systemd_unit, "ActiveState") != "active":
        systemctl("start", systemd_unit)
    timeout_s = timespan_s(unit_property(systemd_unit, "TimeoutStartUSec"))
    wait_for(lambda: unit_property(systemd_unit, "ActiveState") == "active", timeout_s + 30,
             f"READY=1 from {systemd_unit}")
    return systemd_unit


@pytest.fixture
def service_stopped() -> Iterator[None]:
    """Camera and Coral to ourselves (each opens once); the service is restored afterwards.

    Off-device (no systemd, unit not installed) there is nothing to stop.
    """
    managed = Path("/run/systemd/system").is_dir() and systemctl("cat", SERVICE).returncode == 0
    was_active = managed and unit_property(SERVICE, "ActiveState") == "active"
    if was_active:
        systemctl("stop", SERVICE)
    yield
    if was_active:
        systemctl("start", SERVICE)
