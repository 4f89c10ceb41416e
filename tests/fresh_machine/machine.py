"""A fresh Debian 12 machine in a chroot: what a new user has before the README's first command.

The root file system is debootstrap's minbase and nothing else (no python3, git, sudo or
ca-certificates): everything beyond that has to come from the README's steps. The harness adds
only what stands in for a networked machine: apt sources as an installed Debian 12 has them,
DNS, the host's CA bundle (this network's TLS passes a CA the host trusts) for pip through
PIP_CERT and friends, and download caches, which save downloads while every package is still
installed from scratch: apt's .debs (copied in, and new ones saved back by the caller), pip's
cache (bind-mounted; pip's cache is safe to share) and the pinned model wheels (copied).

Every command runs in a private mount namespace that mounts /proc, /sys, devpts, /dev/shm
(Chromium needs it) and pip's cache for that command only: the mounts vanish with its
processes, also when the test is killed, and removing the tree can never reach the host's
/proc or /dev. /dev itself is the device nodes debootstrap made (null, zero, urandom, tty, ...),
never a bind of the host's.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.deploy import rootfs

HARNESS_CA = "/opt/test-harness/host-ca.pem"
"""Outside /usr/local/share/ca-certificates, so update-ca-certificates never makes it system trust."""
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
HOME = "/root"
#: The one-time mounts of every command, inside its own namespace ($R is the root).
MOUNTS = """set -e
mount -t proc proc "$R/proc"
mount -t sysfs -o ro sysfs "$R/sys"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$R/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$R/dev/shm"
"""


@dataclass(frozen=True)
class Step:
    """One command run inside the machine: its exit status, output and wall time."""

    command: str
    returncode: int
    output: str
    seconds: float

    def tail(self, chars: int = 6000) -> str:
        return f"$ {self.command}\n(exit {self.returncode}, {self.seconds:.0f} s)\n{self.output[-chars:]}"


class FreshMachine:
    """A minbase root file system under root, and a way to run shell commands inside it."""

    def __init__(self, root: Path, binds: dict[str, Path]) -> None:
        self.root = root
        self.binds = binds
        """Host folders mounted over paths inside (download caches), per command."""

    @classmethod
    def create(cls, root: Path, *, ca_bundle: Path, pip_cache: Path,
               model_wheels: Path | None) -> FreshMachine:
        """Unpack a minbase tree and add the harness's stand-ins for a networked machine."""
        rootfs.fresh_rootfs(root, packages=())
        (root / "etc/apt/sources.list").write_text(
            f"deb {rootfs.debian_mirror()} {rootfs.SUITE} main\n"
            f"deb {rootfs.debian_mirror()} {rootfs.SUITE}-updates main\n"
            f"deb {rootfs.security_mirror()} {rootfs.SUITE}-security main\n", encoding="utf-8")
        shutil.copy2("/etc/resolv.conf", root / "etc/resolv.conf")
        (root / HARNESS_CA.lstrip("/")).parent.mkdir(parents=True)
        shutil.copyfile(ca_bundle, root / HARNESS_CA.lstrip("/"))
        ptmx = root / "dev/ptmx"  # the new devpts instance's multiplexer, not the host's
        ptmx.unlink(missing_ok=True)
        ptmx.symlink_to("pts/ptmx")
        if model_wheels is not None and model_wheels.is_dir():
            wheels = root / "root/.cache/today-feeling/wheels"
            wheels.mkdir(parents=True)
            for wheel in model_wheels.glob("*.whl"):  # the pinned wheels only; setup still extracts
                shutil.copy2(wheel, wheels / wheel.name)
        pip_cache.mkdir(parents=True, exist_ok=True)
        binds = {"/root/.cache/pip": pip_cache}
        for inside in binds:
            (root / inside.lstrip("/")).mkdir(parents=True, exist_ok=True)
        return cls(root, binds)

    @property
    def env(self) -> dict[str, str]:
        """A login's environment, not the host's (whose pip config points at local indexes)."""
        return {"PATH": PATH, "HOME": HOME, "USER": "root", "LOGNAME": "root", "SHELL": "/bin/bash",
                "LANG": "C.UTF-8", "TERM": "dumb",
                "PIP_CERT": HARNESS_CA, "SSL_CERT_FILE": HARNESS_CA, "REQUESTS_CA_BUNDLE": HARNESS_CA}

    def installed(self, package: str) -> bool:
        """Whether dpkg inside the machine has package installed (read from the host)."""
        result = subprocess.run(["dpkg-query", f"--admindir={self.root}/var/lib/dpkg", "-W",
                                 "-f=${Status}", package], capture_output=True, text=True, check=False)
        return result.stdout.strip() == "install ok installed"

    def start(self, command: str, log: Path, cwd: str = HOME, env: dict[str, str] | None = None,
              ) -> subprocess.Popen[bytes]:
        """Start command (bash) inside the machine, output to log, in its own process group."""
        binds = "".join(f'mount --bind {shlex.quote(str(host))} "$R"{shlex.quote(inside)}\n'
                        for inside, host in self.binds.items())
        inner = shlex.quote(f"cd {shlex.quote(cwd)} && {command}")
        script = f'{MOUNTS}{binds}exec env -u R chroot "$R" /bin/bash -c {inner}\n'
        argv = ["unshare", "--mount", "--propagation", "private", "--fork", "/bin/sh", "-c", script]
        with log.open("ab") as out:
            return subprocess.Popen(argv, env={**self.env, **(env or {}), "R": str(self.root)},
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)

    def run(self, command: str, log: Path, *, timeout: float, cwd: str = HOME,
            env: dict[str, str] | None = None) -> Step:
        """Run command to the end (killed after timeout s) and stop anything it left running."""
        started = time.monotonic()
        offset = log.stat().st_size if log.exists() else 0
        proc = self.start(command, log, cwd, env)
        try:
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            returncode = proc.wait()
            with log.open("a", encoding="utf-8") as out:
                out.write(f"\n[fresh machine: killed after {timeout:.0f} s]\n")
        self.stop_leftovers()
        output = log.read_bytes()[offset:].decode("utf-8", errors="replace")
        return Step(command, returncode, output, time.monotonic() - started)

    def processes(self) -> list[int]:
        """Processes whose root directory is this machine's (daemons a command left behind)."""
        root = self.root.stat()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                seen = (entry / "root").stat()
            except OSError:
                continue  # gone, or not ours to look at
            if (seen.st_dev, seen.st_ino) == (root.st_dev, root.st_ino):
                found.append(int(entry.name))
        return found

    def stop_leftovers(self, grace_s: float = 5.0) -> None:
        """SIGTERM, then SIGKILL, each process still running inside (by its pid)."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            pids = self.processes()
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + grace_s
            while pids and time.monotonic() < deadline:
                time.sleep(0.2)
                pids = self.processes()
            if not pids:
                return

    def remove(self) -> None:
        """Delete the tree, but only when nothing is running in it and nothing is mounted under it."""
        self.stop_leftovers()
        prefix = f"{self.root}/"
        with open("/proc/self/mountinfo", encoding="utf-8") as mounts:
            under = [line.split()[4] for line in mounts if line.split()[4].startswith(prefix)]
        if under:
            raise RuntimeError(f"not removing {self.root}: still mounted there: {under}")
        shutil.rmtree(self.root)
