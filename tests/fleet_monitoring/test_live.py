"""The fleet scraped for real: Prometheus finds both daemons through the inventory's targets
file, sees each one's identity and temperature, and fires the offline alert for exactly the
device that stops, and the CPU alert for the device that runs hot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fleet_monitoring.devices import Device
from tests.fleet_monitoring.prom import Prometheus, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]


def test_both_devices_are_scraped_with_the_inventorys_labels(prometheus: Prometheus) -> None:
    info = prometheus.api("query", query="today_feeling_build_info")["result"]
    # device/group: the inventory's target labels; exported_device: the id the daemon reports.
    assert sorted((r["metric"]["device"], r["metric"]["group"], r["metric"]["exported_device"])
                  for r in info) == [("dev-a", "today_feeling", "dev-a"), ("dev-b", "bench", "dev-b")]
    assert prometheus.firing("TodayFeelingDeviceOffline") == []


def test_the_cpu_temperature_is_the_kernels_reading(fleet: dict[str, Device], prometheus: Prometheus) -> None:
    if fleet["dev-a"].thermal_mc is None:
        pytest.skip("needs root and unshare to give the daemon a thermal zone")
    temps = wait_for("both CPU temperatures", lambda: {
        r["metric"]["device"]: float(r["value"][1])
        for r in prometheus.api("query", query="today_feeling_cpu_temperature_celsius")["result"]
    } or None, timeout=30)
    assert temps == {"dev-a": 52.0, "dev-b": 47.5}


def test_a_hot_cpu_fires_its_alert_for_that_device(fleet: dict[str, Device], prometheus: Prometheus) -> None:
    device = fleet["dev-b"]
    if device.thermal_mc is None or device.proc is None:
        pytest.skip("needs root and unshare to give the daemon a thermal zone")
    zone = Path(f"/proc/{device.proc.pid}/root/sys/class/thermal/thermal_zone0/temp")
    zone.write_text("91000\n")  # the daemon reads it at its next stats (every 10 s)
    try:
        firing = wait_for("TodayFeelingCpuHot for dev-b",
                          lambda: prometheus.firing("TodayFeelingCpuHot"), timeout=40)
        assert [(a["device"], a["severity"]) for a in firing] == [("dev-b", "warning")]
    finally:
        zone.write_text(f"{device.thermal_mc}\n")


def test_a_device_that_stops_is_offline_and_only_that_one(
        fleet: dict[str, Device], prometheus: Prometheus) -> None:
    assert prometheus.targets() == {"dev-a": "up", "dev-b": "up"}
    fleet["dev-a"].stop()
    wait_for("dev-a down in /api/v1/targets", lambda: prometheus.targets()["dev-a"] == "down", timeout=20)
    firing = wait_for("TodayFeelingDeviceOffline", lambda: prometheus.firing("TodayFeelingDeviceOffline"),
                      timeout=30)
    assert [(a["device"], a["group"], a["severity"]) for a in firing] == [
        ("dev-a", "today_feeling", "critical")]
    assert prometheus.targets()["dev-b"] == "up"
