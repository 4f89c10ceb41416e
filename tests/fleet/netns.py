"""Network namespaces for the fleet tests: a central one with a Linux bridge, one per device.

Each device namespace holds one end of a veth pair (``eth0``, 10.77.0.1x/24); the other end
is a port of ``br0`` (10.77.0.1/24) in the central namespace. A device namespace also gets
``/etc/netns/<ns>/mosquitto``, which ``ip netns exec`` mounts over ``/etc/mosquitto``: there the
role's own task file writes the same paths it writes on a device. ``delete()`` removes all of
it and is safe to call on a half-built topology.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

CENTRAL_IP = "10.77.0.1"
PREFIX_LEN = 24
ETC_NETNS = Path("/etc/netns")
TIMEOUT_S = 15


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run one ``ip`` command, bounded."""
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True, timeout=TIMEOUT_S)


class Topology:
    """The central namespace and one namespace per device, named with a per-run suffix."""

    def __init__(self, suffix: str, devices: Sequence[str]) -> None:
        self.central = f"tfc{suffix}"
        self.namespaces = {device: f"tf{index}{suffix}" for index, device in enumerate(devices)}
        self.addresses = {device: f"10.77.0.{11 + index}" for index, device in enumerate(devices)}
        self._created: list[str] = []

    def etc(self, device: str) -> Path:
        """The folder seen as /etc/mosquitto inside the device's namespace."""
        return ETC_NETNS / self.namespaces[device] / "mosquitto"

    def exec_argv(self, namespace: str, *argv: str) -> list[str]:
        return ["ip", "netns", "exec", namespace, *argv]

    def create(self) -> None:
        self._add(self.central)
        ip("-n", self.central, "link", "add", "br0", "type", "bridge")
        ip("-n", self.central, "addr", "add", f"{CENTRAL_IP}/{PREFIX_LEN}", "dev", "br0")
        ip("-n", self.central, "link", "set", "br0", "up")
        for index, (device, namespace) in enumerate(self.namespaces.items()):
            self._add(namespace)
            port = f"dev{index}"
            ip("-n", self.central, "link", "add", port, "type", "veth", "peer", "name", "eth0",
               "netns", namespace)
            ip("-n", self.central, "link", "set", port, "master", "br0", "up")
            ip("-n", namespace, "addr", "add", f"{self.addresses[device]}/{PREFIX_LEN}", "dev", "eth0")
            ip("-n", namespace, "link", "set", "eth0", "up")
            for sub in ("conf.d", "certs"):
                (self.etc(device) / sub).mkdir(parents=True, exist_ok=True)

    def _add(self, namespace: str) -> None:
        ip("netns", "add", namespace)
        self._created.append(namespace)
        ip("-n", namespace, "link", "set", "lo", "up")

    def set_link(self, device: str, up: bool) -> None:
        """Cut (or restore) a device's only link, on its own side: its route goes with it, so
        reconnection attempts fail at once instead of waiting out lost SYNs."""
        ip("-n", self.namespaces[device], "link", "set", "eth0", "up" if up else "down")

    def delete(self) -> None:
        """Remove every namespace this run created (their veths go with them) and /etc/netns."""
        for namespace in reversed(self._created):
            ip("netns", "delete", namespace, check=False)
            shutil.rmtree(ETC_NETNS / namespace, ignore_errors=True)
        self._created.clear()
        for device in self.namespaces:
            shutil.rmtree(self.etc(device).parent, ignore_errors=True)
        with contextlib.suppress(OSError):  # not empty: someone else's namespaces use it
            ETC_NETNS.rmdir()
