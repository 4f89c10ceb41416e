"""Real mosquitto processes inside the fleet's namespaces, started on rendered configurations."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from tests.support.process import stop_process

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 5.0
RUNNING = "running"  # mosquitto logs "mosquitto version X running" once its listeners are open


def device_main_config(etc: Path, state: Path, log: Path) -> Path:
    """What Debian's /etc/mosquitto/mosquitto.conf does on a device (persistence, include of
    conf.d, where the role's files are), with this test's state folder and log."""
    state.mkdir(parents=True, exist_ok=True)
    path = etc / "mosquitto.conf"
    path.write_text(
        "user root\n"  # as root mosquitto would drop to "mosquitto", who cannot write our temp folders
        "persistence true\n"
        f"persistence_location {state}/\n"
        f"log_dest file {log}\n"
        "include_dir /etc/mosquitto/conf.d\n")
    return path


class NamespacedBroker:
    """One mosquitto in one namespace; ``start()`` returns once it logs that it is running."""

    def __init__(self, namespace: str, config: Path, log: Path) -> None:
        self.namespace, self.config, self.log_path = namespace, config, log
        self._proc: subprocess.Popen[bytes] | None = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> None:
        seen = self.log().count(RUNNING)
        with (self.log_path.parent / f"{self.log_path.stem}.out").open("ab") as out:
            self._proc = subprocess.Popen(
                ["ip", "netns", "exec", self.namespace, MOSQUITTO, "-c", str(self.config)],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while self.log().count(RUNNING) <= seen:
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                out_text = (self.log_path.parent / f"{self.log_path.stem}.out").read_text(errors="replace")
                raise RuntimeError(f"mosquitto in {self.namespace} did not start:\n{out_text}\n{self.log()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM (then SIGKILL); the broker saves its persistence file on the way out."""
        stop_process(self._proc, timeout=STOP_TIMEOUT_S)
