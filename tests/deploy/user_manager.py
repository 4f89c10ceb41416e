"""A private systemd user manager for tests, where PID 1 is not systemd (CI containers).

`systemd --user` refuses to start unless /run/systemd/system exists; it gets that marker in a
private mount namespace (a tmpfs over /run that only it and its services see), so nothing on
the host changes. Its runtime, config and state folders live under one base folder outside
/tmp (services get PrivateTmp=, which would hide /tmp paths from them), so the test process
talks to it with plain `systemctl --user`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

START_TIMEOUT_S = 10.0
#: Shared propagation inside the private namespace, as on a booted system: systemd mounts each
#: service's credentials in a helper's namespace and relies on it propagating back.
BOOT_MARKER = ("mount --make-rshared / && mount -t tmpfs tmpfs /run && "
               "mkdir -p /run/systemd/system && exec /lib/systemd/systemd --user")


class UserManagerError(RuntimeError):
    """The manager could not be started here (no privileges, no systemd, container limits)."""


class UserManager:
    """Start with start(), install units with install(), always stop()."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.runtime = base / "run"
        self.config = base / "config"
        self.state = base / "state"
        self.unit_dir = self.config / "systemd" / "user"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "XDG_RUNTIME_DIR": str(self.runtime),
                "XDG_CONFIG_HOME": str(self.config), "XDG_STATE_HOME": str(self.state)}

    def start(self) -> None:
        if os.geteuid() != 0 or not shutil.which("unshare") or not Path("/lib/systemd/systemd").exists():
            raise UserManagerError("needs root, unshare and /lib/systemd/systemd")
        for folder in (self.runtime, self.unit_dir, self.state):
            folder.mkdir(parents=True, exist_ok=True)
        self.runtime.chmod(0o700)
        self._proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", BOOT_MARKER],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while self.systemctl("show-environment").returncode != 0:
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise UserManagerError("systemd --user did not come up here")
            time.sleep(0.1)

    def stop(self) -> None:
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)
        self._proc = None

    def systemctl(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["systemctl", "--user", *args], check=False, capture_output=True,
                              text=True, env=self.env, timeout=timeout)

    def install(self, name: str, text: str) -> None:
        (self.unit_dir / name).write_text(text, encoding="utf-8")
        result = self.systemctl("daemon-reload")
        assert result.returncode == 0, result.stderr

    def state_dir(self, name: str) -> Path:
        """Where StateDirectory=NAME lands for a user manager (XDG_STATE_HOME only since v254)."""
        version = int(self.systemctl("--version").stdout.split()[1])
        return (self.state if version >= 254 else self.config) / name

    def show(self, unit: str, prop: str) -> str:
        return self.systemctl("show", unit, f"--property={prop}", "--value").stdout.strip()
