"""Real daemons for the fleet tests, each on a looped replay video with its own dashboard port.

Started the way tests/fixtures/daemon.py starts one (same CLI and base config), but in a private
mount namespace where /sys/class/thermal holds a thermal zone the test writes: on a machine
without one (a CI container) the daemon still reports a real reading through the kernel's path.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import time
from pathlib import Path

from tests.conftest import REPO_ROOT
from tests.fixtures.daemon import BASE_CONFIG, cli
from tests.support.process import stop_process

#: Inside the namespace: a tmpfs over /sys/class/thermal with zone 0 at $1 millidegrees, then the
#: daemon replaces the shell (the Popen pid is the daemon's).
THERMAL_SHELL = ('mount -t tmpfs tmpfs /sys/class/thermal && mkdir /sys/class/thermal/thermal_zone0 '
                 '&& echo "$1" > /sys/class/thermal/thermal_zone0/temp && shift && exec "$@"')
#: Two daemons share a 2-core machine with Prometheus: a few frames a second, not eight; and the
#: 3-second clip (neutral, then a smile) commits a mood within seconds instead of after neutral's
#: minute-long dwell, so the mood panels have data.
TEST_TUNING = ('[pipeline]\nmax_fps = 3.0\nidle_fps = 1.0\n'
               '[mood]\nneutral_policy = "commit"\ndwell_s = 1.0\n')


def can_fake_thermal() -> bool:
    """Root with unshare: the daemon can get a private /sys/class/thermal."""
    return os.geteuid() == 0 and shutil.which("unshare") is not None


class Device:
    """One daemon: ``start`` runs it, ``stop`` ends it (SIGTERM, then SIGKILL); ``log`` for failures."""

    def __init__(self, tmp: Path, models: Path, device_id: str, port: int, video: Path) -> None:
        tmp.mkdir(parents=True, exist_ok=True)
        self.device_id, self.port, self.video, self.tmp = device_id, port, video, tmp
        self.config = tmp / "config.toml"
        self.config.write_text(BASE_CONFIG.format(device=device_id, models=models, tmp=tmp)
                               + f'[http]\nbind = "127.0.0.1:{port}"\n' + TEST_TUNING)
        self.proc: subprocess.Popen[bytes] | None = None
        self.thermal_mc: int | None = None

    def start(self, thermal_mc: int | None = None) -> None:
        """Run the daemon; with ``thermal_mc`` (and root) its CPU reads that many millidegrees."""
        cmd = [*cli(), "run", "--config", str(self.config), "--source", str(self.video), "--loop",
               "--mqtt", "", "--mpd", "off"]
        if thermal_mc is not None and can_fake_thermal():
            cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c", THERMAL_SHELL, "sh",
                   str(thermal_mc), *cmd]
            self.thermal_mc = thermal_mc
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "edge")}
        with (self.tmp / "daemon.log").open("ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)

    def metrics(self) -> str:
        """One scrape of /metrics (from loopback, which a daemon without a broker admits)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", "/metrics")
            response = conn.getresponse()
            body = response.read().decode()
            if response.status != 200:
                raise OSError(f"/metrics answered {response.status}")
            return body
        finally:
            conn.close()

    def wait_metrics(self, needle: str, timeout: float) -> str:
        """The first /metrics text containing ``needle``; AssertionError with the log after ``timeout``."""
        deadline, seen = time.monotonic() + timeout, ""
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                break
            try:
                seen = self.metrics()
                if needle in seen:
                    return seen
            except OSError as err:
                seen = str(err)
            time.sleep(0.5)
        raise AssertionError(f"{self.device_id}: no {needle!r} in /metrics (last: {seen[-300:]})\n"
                             f"{self.log()[-3000:]}")

    def stop(self) -> None:
        stop_process(self.proc)

    def log(self) -> str:
        path = self.tmp / "daemon.log"
        return path.read_text(errors="replace") if path.is_file() else ""
