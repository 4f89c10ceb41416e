"""A fleet of two real daemons and a real Prometheus configured for it by ansible/monitoring.yml.

Package-scoped: starting the daemons (model loading) is the slow part, and the dashboard and the
alert tests read the same fleet. Only the test that stops a device stops "dev-a"; "dev-b" stays up.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.fleet_monitoring.devices import Device
from tests.fleet_monitoring.prom import Prometheus, wait_for
from tests.fleet_monitoring.render import inventory, render
from tests.media import media

#: Each device's CPU temperature in millidegrees (read through a private /sys/class/thermal).
THERMAL_MC = {"dev-a": 52000, "dev-b": 47500}
#: Durations short enough for a test; the rules are the role's, only these variables change.
FAST = {"today_feeling_prometheus_scrape_interval": "1s", "today_feeling_prometheus_scrape_timeout": "1s",
        "today_feeling_prometheus_evaluation_interval": "1s", "today_feeling_prometheus_offline_for": "5s",
        "today_feeling_prometheus_cpu_hot_for": "2s", "today_feeling_prometheus_sd_refresh_interval": "5s"}


@pytest.fixture(scope="package")
def fleet(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[dict[str, Device]]:
    video = media("single_face.mp4")
    root = tmp_path_factory.mktemp("fleet")
    devices = {name: Device(root / name, models_dir, name, free_port(), video) for name in THERMAL_MC}
    try:
        for name, device in devices.items():
            device.start(thermal_mc=THERMAL_MC[name])
        for device in devices.values():
            device.wait_metrics("today_feeling_fps ", timeout=180)  # the first stats arrived
        yield devices
    finally:
        for device in devices.values():
            device.stop()


@pytest.fixture(scope="package")
def prometheus(fleet: dict[str, Device], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    """Prometheus on a free port with its own storage, scraping the fleet every second; it waits
    until both devices are up. "dev-b" is in the sub-group "bench"."""
    root = tmp_path_factory.mktemp("prometheus")
    hosts = inventory({name: {"ansible_host": "127.0.0.1", "today_feeling_prometheus_port": d.port}
                       for name, d in fleet.items()}, children={"bench": ["dev-b"]})
    config = render(root / "config", hosts, **FAST)
    server = Prometheus(config / "prometheus.yml", root / "data", free_port())
    try:
        server.start()
        wait_for("both devices up in /api/v1/targets",
                 lambda: server.targets() == {"dev-a": "up", "dev-b": "up"}, timeout=60)
        yield server
    finally:
        server.stop()
