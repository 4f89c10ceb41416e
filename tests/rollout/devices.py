"""Devices for the rollout test: containers that boot the device image with systemd as PID 1.

Each device is ``systemd-nspawn --boot`` (Debian package systemd-container) on its own overlayfs
over the one unpacked image, in its own network namespace. nspawn runs without the host's
systemd (``--register=no --keep-unit``: no machined, no D-Bus here) and sets up /dev, /proc,
/sys and the cgroup hierarchy the way systemd expects of a container. Ansible and the test
reach a device by entering its PID 1's namespaces with nsenter (community.docker.nsenter), so
`systemctl` there talks to the device's own systemd.

The containers get a cgroup v2 (unified) hierarchy, as Debian 12 devices have, even on a host
with the hybrid layout: there systemd inside would run its legacy name=systemd tree, where
reading a unit's process list fails (EIO) and stopping a unit cannot kill its control group. The
host's cgroup2 tree delegates no controllers, so MemoryMax= and TasksMax= are not enforced here.

``stop()`` halts the container (nspawn turns SIGTERM into an orderly poweroff), kills what is
left, unmounts the overlay and removes nspawn's state for the machine; it is safe to call on a
half-started device and more than once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
from pathlib import Path

from tests.support.process import stop_process
from tests.support.wait import wait_for

logger = logging.getLogger(__name__)

NSPAWN = shutil.which("systemd-nspawn") or "/usr/bin/systemd-nspawn"
BOOT_TIMEOUT_S = 120.0
HALT_TIMEOUT_S = 30.0
NSPAWN_STATE = Path("/run/systemd/nspawn")
#: The namespaces Ansible's nsenter connection enters; the test enters the same ones.
NSENTER = ("nsenter", "--ipc", "--mount", "--net", "--pid", "--uts")


def _status_field(pid: str, field: str) -> str:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return ""
    for line in text.splitlines():
        if line.startswith(f"{field}:"):
            return line.split(":", 1)[1].strip()
    return ""


def container_init(parent: int) -> int | None:
    """The child of ``parent`` that is PID 1 of its own PID namespace (the container's systemd)."""
    for entry in Path("/proc").iterdir():
        if (entry.name.isdigit() and _status_field(entry.name, "PPid") == str(parent)
                and _status_field(entry.name, "NSpid").split()[-1:] == ["1"]):
            return int(entry.name)
    return None


class Device:
    """One booted container: ``start()``, ``run()`` commands in it, always ``stop()``."""

    def __init__(self, machine: str, namespace: str, image: Path, base: Path) -> None:
        self.machine, self.namespace, self.image = machine, namespace, image
        self.upper, self.work, self.root = base / "upper", base / "work", base / "root"
        self.log_path = base / "console.log"
        self.pid: int | None = None
        self._nspawn: subprocess.Popen[bytes] | None = None
        self._mounted = False

    def start(self) -> None:
        """Boot the container; ``wait_booted()`` then waits for its systemd to finish booting."""
        for folder in (self.upper, self.work, self.root):
            folder.mkdir(parents=True, exist_ok=True)
        options = f"lowerdir={self.image},upperdir={self.upper},workdir={self.work}"
        subprocess.run(["mount", "-t", "overlay", "overlay", "-o", options, str(self.root)],
                       check=True, capture_output=True, timeout=30)
        self._mounted = True
        with self.log_path.open("ab") as log:
            self._nspawn = subprocess.Popen(
                [NSPAWN, "--quiet", "--boot", "--register=no", "--keep-unit", "--console=pipe",
                 f"--machine={self.machine}", f"--directory={self.root}",
                 f"--network-namespace-path=/run/netns/{self.namespace}"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "SYSTEMD_NSPAWN_UNIFIED_HIERARCHY": "1"})

    def wait_booted(self) -> None:
        """Wait for PID 1, then for the boot's jobs (today-feeling's READY=1 among them)."""
        nspawn = self._nspawn
        assert nspawn is not None, f"{self.machine} was not started"
        self.pid = wait_for(lambda: self._alive_or_fail(nspawn) and container_init(nspawn.pid),
                            BOOT_TIMEOUT_S, f"PID 1 of {self.machine}", poll_s=0.1)
        # "offline" until PID 1 is systemd and has opened its private socket
        wait_for(lambda: self._alive_or_fail(nspawn) and self._manager_up(),
                 BOOT_TIMEOUT_S, f"systemd of {self.machine}", poll_s=0.2)
        state = self.run("systemctl", "is-system-running", "--wait", timeout=BOOT_TIMEOUT_S).stdout.strip()
        if state != "running":
            failed = self.run("systemctl", "--failed", "--no-pager", "--plain").stdout
            raise AssertionError(f"{self.machine} booted {state!r}:\n{failed}\n{self.console()[-3000:]}")

    def _manager_up(self) -> bool:
        return self.run("systemctl", "show-environment").returncode == 0

    def _alive_or_fail(self, nspawn: subprocess.Popen[bytes]) -> bool:
        if nspawn.poll() is not None:
            raise AssertionError(f"systemd-nspawn exited {nspawn.returncode}:\n{self.console()[-3000:]}")
        return True

    def console(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def run(self, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """A command inside the device (its mount, PID, network, IPC and UTS namespaces)."""
        assert self.pid is not None, f"{self.machine} is not running"
        return subprocess.run([*NSENTER, f"--target={self.pid}", "--", *argv], check=False,
                              capture_output=True, text=True, timeout=timeout)

    def show(self, unit: str, *props: str) -> dict[str, str]:
        """``systemctl show`` properties of a unit on the device's own systemd."""
        out = self.run("systemctl", "show", unit, *(f"--property={p}" for p in props)).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def stop(self) -> None:
        if self._nspawn is not None:
            stop_process(self._nspawn, timeout=HALT_TIMEOUT_S)  # SIGTERM = poweroff of the container
            self._nspawn = None
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):  # nspawn killed: end its PID namespace
                os.kill(self.pid, signal.SIGKILL)
            self.pid = None
        if self._mounted:
            for argv in (["umount", str(self.root)], ["umount", "--lazy", str(self.root)]):
                if subprocess.run(argv, check=False, capture_output=True, timeout=30).returncode == 0:
                    break
            self._mounted = False
        for kind in ("propagate", "unix-export"):
            shutil.rmtree(NSPAWN_STATE / kind / self.machine, ignore_errors=True)


def stop_all(devices: list[Device]) -> None:
    """Stop every device (each stop is bounded), even when one of them fails to stop."""
    for device in devices:
        try:
            device.stop()
        except Exception:  # keep going: the other devices must be stopped too
            logger.exception("stopping %s failed", device.machine)
