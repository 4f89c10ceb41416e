"""The central mosquitto of the fleet simulation and what it costs, read from /proc.

The broker is the test fixture's :class:`Broker` (same start/stop/ports logic) with a config
of its own: a fleet's central broker logs little (``log_type all`` would log every packet
and measure the logger, not the broker), keeps retained messages on disk, accepts many
connections and lets a fleet-wide consumer queue far more than the default 1000 messages.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import free_port
from tests.fixtures.broker import Broker

MAX_CONNECTIONS = 20000
#: A consumer of ``today_feeling/#`` sees every device's traffic; mosquitto's default queue of
#: 1000 QoS 1 messages per client would drop state for a consumer that lags a second behind.
MAX_QUEUED_MESSAGES = 1_000_000
OBSERVER_USER = "fleet-observer"
#: Per-device users: each may publish only under its own prefix and read only its commands.
ACL = (f"user {OBSERVER_USER}\ntopic read today_feeling/#\n\n"
       "pattern write today_feeling/%u/#\npattern read today_feeling/%u/+/set\n")
CLK_TCK = os.sysconf("SC_CLK_TCK")


class CentralBroker(Broker):
    """A fleet's central mosquitto: persistence, high limits, optional per-device logins."""

    LOGGING = ("log_type error", "log_type warning", "connection_messages false")
    GLOBAL_OPTIONS = (f"max_queued_messages {MAX_QUEUED_MESSAGES}",)
    LISTENER_OPTIONS = (f"max_connections {MAX_CONNECTIONS}",)

    def __init__(self, workdir: Path, *, persistence: bool = True,
                 users: Mapping[str, str] | None = None) -> None:
        super().__init__(workdir, users=users, acl=ACL if users else None, persistence=persistence)

    def move_to_private_port(self) -> int:
        """Listen on a fresh port no device knows (call while stopped); returns the fleet's port."""
        fleet_port, self.port = self.port, free_port()
        self._configure()
        return fleet_port

    def move_to(self, port: int) -> None:
        """Listen on ``port`` again (call while stopped)."""
        self.port = port
        self._configure()


@dataclass(frozen=True)
class Sample:
    """One reading: wall time, CPU ticks and RSS (KiB) per role, machine busy/total ticks."""

    t: float
    ticks: dict[str, int]
    rss_kib: dict[str, int]
    machine: tuple[int, int]


def process_ticks(pid: int) -> int:
    """utime + stime of ``pid`` in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])


def process_rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def machine_ticks() -> tuple[int, int]:
    """(busy, total) ticks of all CPUs since boot, from the first line of /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Sampler:
    """Reads CPU and RSS of each role's processes once per ``period_s`` on a daemon thread."""

    def __init__(self, roles: Mapping[str, list[int]], period_s: float = 1.0) -> None:
        self._roles = {name: list(pids) for name, pids in roles.items()}
        self._period = period_s
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fleet-sampler", daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self.read())
            self._stop.wait(self._period)

    def read(self) -> Sample:
        ticks = {name: sum(process_ticks(p) for p in pids) for name, pids in self._roles.items()}
        rss = {name: sum(process_rss_kib(p) for p in pids) for name, pids in self._roles.items()}
        return Sample(time.time(), ticks, rss, machine_ticks())

    def summary(self, t0: float, t1: float) -> dict[str, object]:
        """CPU % of one core per role (mean over [t0, t1] and the busiest second), RSS peak,
        and how busy the whole machine was (% of all its cores)."""
        window = [s for s in self.samples if t0 <= s.t <= t1]
        if len(window) < 2:
            return {"error": "fewer than two samples in the window"}
        first, last = window[0], window[-1]
        span = last.t - first.t
        out: dict[str, object] = {"window_s": round(span, 1)}
        for name in self._roles:
            per_second = [100.0 * (b.ticks[name] - a.ticks[name]) / CLK_TCK / (b.t - a.t)
                          for a, b in itertools.pairwise(window) if b.t > a.t]
            out[name] = {
                "cpu_pct_mean": round(100.0 * (last.ticks[name] - first.ticks[name]) / CLK_TCK / span, 1),
                "cpu_pct_max_1s": round(max(per_second), 1),
                "rss_mib_peak": round(max(s.rss_kib[name] for s in window) / 1024, 1),
            }
        busy, total = last.machine[0] - first.machine[0], last.machine[1] - first.machine[1]
        out["machine_busy_pct"] = round(100.0 * busy / total, 1) if total else None
        return out
