"""One measured run: a central broker, N simulated devices, one fleet-wide consumer.

Order: broker, observer (subscribed before any device exists, so it sees everything),
device processes (all connected before the window opens), a warm-up, the measured window,
then the feeds stop, the observer drains, the devices report what they published, and, if
asked, the broker is restarted twice (see :func:`restart_check`).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import secrets
import tempfile
import time
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from fleet_scale_broker import OBSERVER_USER, CentralBroker, Sampler
from fleet_scale_devices import DEVICES_PER_PROCESS, WorkerSpec, worker_main
from fleet_scale_measure import measure, merge_reports
from fleet_scale_observer import Auth, Observer, compare_retained, retained_snapshot

RECOVERY_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class RunConfig:
    """One run's shape; ``speed`` divides every period of the devices' event timelines."""

    devices: int = 200
    duration_s: float = 120.0
    speed: float = 1.0
    warmup_s: float = 5.0
    restart: bool = True
    persistence: bool = True
    auth: bool = False
    seed: int = 1
    #: Fewer per process means less GIL contention between one process's paho and feed threads.
    per_process: int = DEVICES_PER_PROCESS


def device_ids(count: int) -> tuple[str, ...]:
    return tuple(f"sim-{i:04d}" for i in range(count))


class Fleet:
    """The device processes, spawned (a fork would copy the parent's threads' held locks)."""

    def __init__(self, cfg: RunConfig, host: str, port: int, passwords: dict[str, str] | None) -> None:
        ctx = mp.get_context("spawn")
        ids = device_ids(cfg.devices)
        self.workers: list[tuple[BaseProcess, Connection]] = []
        for number, first in enumerate(range(0, len(ids), cfg.per_process)):
            chunk = ids[first: first + cfg.per_process]
            spec = WorkerSpec(host, port, chunk, cfg.speed, cfg.seed * 1000 + number,
                              {d: passwords[d] for d in chunk} if passwords else None,
                              connect_timeout_s=30.0 + 0.1 * len(chunk),
                              lifetime_s=cfg.warmup_s + cfg.duration_s + 900.0)
            parent, child = ctx.Pipe()
            process = ctx.Process(target=worker_main, args=(spec, child), daemon=True,
                                  name=f"fleet-devices-{number}")
            process.start()
            child.close()
            self.workers.append((process, parent))

    @property
    def pids(self) -> list[int]:
        return [p.pid for p, _ in self.workers if p.pid is not None]

    def ask(self, command: str | None, answer: str, timeout: float) -> list[dict[str, Any]]:
        """Send ``command`` to every worker (None: send nothing) and collect their ``answer``."""
        if command is not None:
            for _, conn in self.workers:
                conn.send(command)
        deadline, bodies = time.monotonic() + timeout, []
        for process, conn in self.workers:
            if not conn.poll(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"device process {process.pid} did not answer {answer!r} in {timeout}s")
            tag, body = conn.recv()
            if tag != answer:
                raise RuntimeError(f"device process {process.pid} answered {tag!r}, not {answer!r}")
            bodies.append(body)
        return bodies

    def close(self) -> None:
        """Ask every worker to stop its services (they publish ``stopped``), then make sure."""
        for _, conn in self.workers:
            with contextlib.suppress(OSError):
                conn.send("stop")
        deadline = time.monotonic() + 30.0
        for process, _ in self.workers:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(5.0)


def restart_check(broker: CentralBroker, expected: dict[str, bytes], devices: int,
                  auth: Auth) -> dict[str, Any]:
    """Stop the broker cleanly and start it on the same persistence file twice: first on a port
    no device knows (what the file alone restored), then on the fleet's port (how long until
    every device is back ``online`` with its last mood and track). Complete from the file means
    every device's last mood and track as published and its availability ``offline``: the broker
    published each connected device's will as it shut down, and a stale ``online`` would lie."""
    broker.stop()
    fleet_port = broker.move_to_private_port()
    broker.start()
    # Devices were connected when it stopped: it published each one's will, so "offline".
    persisted = compare_retained(retained_snapshot(broker.host, broker.port, len(expected), auth),
                                 expected, availability=b"offline")
    broker.stop()
    broker.move_to(fleet_port)
    broker.start()
    started = time.monotonic()
    recovered: dict[str, Any] = {}
    while time.monotonic() - started < RECOVERY_TIMEOUT_S:
        recovered = compare_retained(retained_snapshot(broker.host, broker.port, len(expected), auth),
                                     expected)
        if recovered["complete"] and recovered["availability"].get("online", 0) == devices:
            break
        time.sleep(1.0)
    recovered["seconds"] = round(time.monotonic() - started, 1)
    return {"from_persistence": persisted, "after_reconnect": recovered}


def _credentials(cfg: RunConfig) -> tuple[dict[str, str] | None, dict[str, str] | None, Auth]:
    if not cfg.auth:
        return None, None, None
    passwords = {d: secrets.token_hex(12) for d in device_ids(cfg.devices)}
    observer_password = secrets.token_hex(12)
    return passwords, {**passwords, OBSERVER_USER: observer_password}, (OBSERVER_USER, observer_password)


def run_fleet(cfg: RunConfig) -> dict[str, Any]:
    """Run once and return every figure (see fleet_scale.py's docstring for their meaning)."""
    passwords, users, auth = _credentials(cfg)
    with tempfile.TemporaryDirectory(prefix="fleet-scale-") as tmp:
        broker = CentralBroker(Path(tmp), persistence=cfg.persistence, users=users)
        broker.start()
        observer: Observer | None = None
        fleet: Fleet | None = None
        try:
            observer = Observer(broker.host, broker.port, auth).start()
            fleet = Fleet(cfg, broker.host, broker.port, passwords)
            ready = fleet.ask(None, "ready", 60.0 + 0.2 * cfg.devices)
            pid = broker.pid
            sampler = Sampler({"broker": [pid] if pid else [], "devices": fleet.pids,
                               "observer": [os.getpid()]}).start()
            t0 = time.time() + cfg.warmup_s
            time.sleep(cfg.warmup_s + cfg.duration_s)
            t1 = time.time()
            fleet.ask("quiet", "quiet", 30.0)
            drain_s = observer.wait_quiet()
            reports = merge_reports(fleet.ask("report", "report", 120.0))
            sampler.stop()
            result: dict[str, Any] = {
                "config": asdict(cfg), "processes": len(fleet.workers),
                "connected": sum(r["connected"] for r in ready),
                "connect_s": round(max(r["connect_s"] for r in ready), 2),
                "cost": sampler.summary(t0, t1), "drain_s": round(drain_s, 1),
                **measure(reports, observer.received, t0, t1),
            }
            if cfg.restart:
                observer.stop()
                observer = None
                result["restart"] = restart_check(broker, reports.expected_retained, cfg.devices, auth)
            return result
        finally:
            if observer is not None:
                observer.stop()
            if fleet is not None:
                fleet.close()
            broker.kill()
