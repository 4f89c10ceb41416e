"""Fixtures of the rollout test: the image, three booted devices and the inventory that reaches them.

Devices are ``device1..3`` in the inventory; each is a container of tests/rollout/devices.py in a
network namespace of tests/fleet/netns.py. Namespaces, containers, overlay mounts and the
unpacked image are removed at teardown, also when a fixture fails half-way.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.deploy import rootfs
from tests.fleet.netns import Topology
from tests.media import media
from tests.rollout import image
from tests.rollout.devices import NSPAWN, Device, stop_all

DEVICES = ("device1", "device2", "device3")
HEALTH_TIMEOUT_S = 90


def _require_tools() -> None:
    if os.geteuid() != 0:
        pytest.skip("the rollout test boots containers and mounts overlays: run as root")
    for tool in (NSPAWN, "nsenter", "ip", "mount", "debootstrap", "tar"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (systemd-container, util-linux, iproute2, debootstrap)")
    if "overlay" not in Path("/proc/filesystems").read_text():
        pytest.skip("the kernel has no overlayfs (modprobe overlay)")


@dataclass
class Fleet:
    """Three booted devices and what an inventory for them needs."""

    devices: dict[str, Device]
    root: Path
    app_wheel: Path
    wheelhouse: Path
    models: Path

    def inventory(self, wheel: Path, host_vars: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
        """The operator's inventory for one release: every device on ``wheel``, plus per-host vars."""
        group = {**image.common_vars(wheel, self.wheelhouse, self.models),
                 "ansible_connection": "community.docker.nsenter",
                 "today_feeling_apt_cache_valid_time": image.APT_NEVER_REFRESH_S,
                 "today_feeling_health_timeout": HEALTH_TIMEOUT_S}
        hosts = {name: {"ansible_host": device.machine, "ansible_nsenter_pid": device.pid,
                        "today_feeling_mqtt_password": f"{name}-mqtt-password",
                        **(host_vars or {}).get(name, {})} for name, device in self.devices.items()}
        return {"all": {"children": {"today_feeling": {"vars": group, "hosts": hosts}}}}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[Fleet]:
    _require_tools()
    tmp = tmp_path_factory.mktemp("rollout")
    app_wheel = image.build_app_wheel(tmp / "dist")
    tarball = image.image_tarball(tmp, app_wheel, models_dir, media("single_face.mp4"))
    lower = tmp / "image"
    lower.mkdir()
    suffix = f"{os.getpid() % 10000}{secrets.token_hex(2)}"
    topology = Topology(suffix, list(DEVICES))
    devices = {name: Device(f"tfr{index}{suffix}", topology.namespaces[name], lower, tmp / name)
               for index, name in enumerate(DEVICES)}
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, lower, ignore_errors=True)
        subprocess.run(["tar", "-C", str(lower), "-xf", str(tarball)], check=True, timeout=600)
        stack.callback(topology.delete)
        topology.create()
        stack.callback(stop_all, list(devices.values()))
        for device in devices.values():  # boot in parallel: each waits for its daemon's READY=1
            device.start()
        for device in devices.values():
            device.wait_booted()
        yield Fleet(devices, tmp, app_wheel, rootfs.wheelhouse(app_wheel), models_dir)
