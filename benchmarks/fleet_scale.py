"""How many devices one central mosquitto carries: a fleet simulated on this machine.

    .venv/bin/python benchmarks/fleet_scale.py [--devices 200] [--duration 120] [--speed 1]
        [--auth] [--no-persistence] [--no-restart] [--json]
    .venv/bin/python benchmarks/fleet_scale.py --ramp 50,100,200,400,800 [--step-duration 60]
        [--speed 5] [--ramp-budget 1200] [--json]

Method. The script starts its own mosquitto on loopback (config in a temp dir: persistence on,
``max_connections`` 20000, a 1M-message queue for a fleet-wide consumer, errors-only log;
``--auth``: per-device users, ACL ``pattern write today_feeling/%u/#``). Every simulated
device is the daemon's real ``MqttService`` (connection, outbox, throttles, retained state,
availability with its last will) on its own ``EventBus``, fed the events a live device emits:

- ``emotion``: one reading per 1.05 s (the service throttles at ``emotion_interval_s`` = 1 s;
  the feed runs 5 % slower so the throttle never holds a reading back), QoS 0;
- ``stats``: every 10.5 s (the daemon emits every 10 s; ``stats_interval_s`` is set to 10 s so
  each is published; the default 30 s would publish a third), QoS 0;
- ``mood``: first after 5-30 s, then every 30-120 s (uniform), QoS 1 retained;
- ``track``: one at start, then every 180-240 s, QoS 1 retained;
- at (re)connection the service's own ``online`` and retained control state, QoS 1.

``--speed K`` divides every period by K (K <= 10: ``stats_interval_s`` may not go below 1 s),
so N devices at speed K send the messages of N*K devices over N connections. Up to 150 devices
share a process (paho's ``select()`` loop cannot use descriptors past 1023).

An observer subscribed to ``today_feeling/#`` (QoS 1) stands for the fleet's consumers. Each
message is identified by a hash of topic and payload, recorded by the device at ``publish()``
and by the observer at arrival. Figures over the measured window (after all devices are
connected and a warm-up): messages sent and lost per QoS (a QoS 1 message is lost when its
hash never arrived; the goal is none), latency from the payload's ``ts`` to arrival and from
``publish()`` to arrival (p50/p90/p99/max), the broker's CPU in % of one core (utime+stime
from /proc/PID/stat; mosquitto is single-threaded, so 100 % is its ceiling) and peak RSS, the
same for the device processes and the observer, and the whole machine's busy %.

Restart (single run). After the window: SIGTERM to the broker (it writes its persistence file),
start it on the same file on a port no device knows and read every device's retained
``availability``, ``mood`` and ``track`` (complete = each equals what the device published
last); then start it on the fleet's port and time until every device is ``online`` again.

Ramp. One fresh broker per step, no restart. A step *keeps up* when: no QoS 1 message lost,
``publish_to_receive`` p99 <= 250 ms (a quarter of the emotion interval), and the broker's mean
CPU <= 90 % of one core. The ramp stops at the first step where the *rig* does not keep up (the
feeds run late, p99 > 100 ms, or the machine is >= 95 % busy: then latency and CPU figures
describe a starved machine, not the broker, and the step says nothing about the broker), or
at the first step where the broker does not keep up (its limit).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "edge"), str(Path(__file__).resolve().parent)]

from fleet_scale_devices import DEVICES_PER_PROCESS  # noqa: E402
from fleet_scale_run import RunConfig, run_fleet  # noqa: E402

P99_LIMIT_MS = 250.0
BROKER_CPU_LIMIT_PCT = 90.0
FEED_LATE_LIMIT_MS = 100.0
MACHINE_BUSY_LIMIT_PCT = 95.0


def verdict(result: dict[str, Any]) -> dict[str, Any]:
    """Whether the broker kept up in this run, and whether the rig itself did."""
    cost = result["cost"]
    broker_cpu = cost.get("broker", {}).get("cpu_pct_mean", 0.0)
    p99 = result["publish_to_receive_ms"]["p99"] or 0.0
    broker = []
    if result["lost"]["qos1"]:
        broker.append(f"{result['lost']['qos1']} QoS 1 messages lost")
    if result["connected"] < result["config"]["devices"]:
        broker.append(f"only {result['connected']} devices connected")
    if p99 > P99_LIMIT_MS:
        broker.append(f"p99 {p99} ms > {P99_LIMIT_MS:g} ms")
    if broker_cpu > BROKER_CPU_LIMIT_PCT:
        broker.append(f"broker CPU {broker_cpu} % > {BROKER_CPU_LIMIT_PCT:g} %")
    rig = []
    late = result["feed_lateness_ms"]["p99"] or 0.0
    if late > FEED_LATE_LIMIT_MS:
        rig.append(f"feeds late: p99 {late} ms > {FEED_LATE_LIMIT_MS:g} ms")
    busy = cost.get("machine_busy_pct") or 0.0
    if busy >= MACHINE_BUSY_LIMIT_PCT:
        rig.append(f"machine {busy} % busy")
    return {"broker_keeps_up": not broker, "broker_reasons": broker,
            "rig_keeps_up": not rig, "rig_reasons": rig}


def ramp(counts: list[int], step_s: float, speed: float, auth: bool, budget_s: float, *,
         per_process: int) -> dict[str, Any]:
    """Steps of growing fleets until the broker (or the rig) stops keeping up, bounded in time."""
    started, steps = time.monotonic(), list[dict[str, Any]]()
    stopped = "all steps kept up"
    for count in counts:
        if steps and time.monotonic() - started + step_s + 60 > budget_s:
            stopped = f"time budget of {budget_s:g} s reached"
            break
        result = run_fleet(RunConfig(devices=count, duration_s=step_s, speed=speed, restart=False,
                                     auth=auth, warmup_s=5.0, per_process=per_process))
        result["verdict"] = verdict(result)
        steps.append(result)
        print(f"# ramp step: {line(result)}", file=sys.stderr, flush=True)
        if not result["verdict"]["rig_keeps_up"]:  # then the broker's figures say nothing
            stopped = f"the rig (this machine) stopped keeping up at {count} devices"
            break
        if not result["verdict"]["broker_keeps_up"]:
            stopped = f"the broker stopped keeping up at {count} devices"
            break
    return {"speed": speed, "step_s": step_s, "stopped": stopped, "steps": steps}


def line(result: dict[str, Any]) -> str:
    cfg, cost = result["config"], result["cost"]
    broker = cost.get("broker", {})
    return (f"{cfg['devices']} devices x{cfg['speed']:g}: {result['sent']['per_s']} msg/s sent, "
            f"lost qos1={result['lost']['qos1']} qos0={result['lost']['qos0']}, "
            f"publish->receive p50/p99 {result['publish_to_receive_ms']['p50']}/"
            f"{result['publish_to_receive_ms']['p99']} ms, broker CPU {broker.get('cpu_pct_mean')} % "
            f"(max 1 s {broker.get('cpu_pct_max_1s')} %), RSS {broker.get('rss_mib_peak')} MiB, "
            f"devices CPU {cost.get('devices', {}).get('cpu_pct_mean')} %, "
            f"machine {cost.get('machine_busy_pct')} % busy")


def describe(result: dict[str, Any]) -> str:
    """A single run as text."""
    out = [line(result), f"  connected {result['connected']} in {result['connect_s']} s over "
           f"{result['processes']} processes; fed {result['fed']}",
           f"  published {result['published']}",
           f"  event->receive ms {result['event_to_receive_ms']}",
           f"  publish->receive ms {result['publish_to_receive_ms']}",
           f"  feed lateness ms {result['feed_lateness_ms']}"]
    restart = result.get("restart")
    if restart:
        for phase in ("from_persistence", "after_reconnect"):
            r = restart[phase]
            out.append(f"  restart {phase}: complete={r['complete']} {r['found']}/{r['expected']} "
                       f"(missing {r['missing']}, differ {r['differ']}) availability {r['availability']}"
                       + (f" after {r['seconds']} s" if "seconds" in r else ""))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--duration", type=float, default=120.0, help="measured window, seconds")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--speed", type=float, default=1.0, help="time compression, 1-10")
    parser.add_argument("--auth", action="store_true", help="per-device users and ACL")
    parser.add_argument("--no-persistence", action="store_true")
    parser.add_argument("--no-restart", action="store_true")
    parser.add_argument("--ramp", help="comma-separated device counts, e.g. 50,100,200,400")
    parser.add_argument("--step-duration", type=float, default=60.0)
    parser.add_argument("--ramp-budget", type=float, default=1200.0, help="seconds for the whole ramp")
    parser.add_argument("--per-process", type=int, default=DEVICES_PER_PROCESS,
                        help=f"simulated devices per process (default {DEVICES_PER_PROCESS}, at most 150)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    if not 1.0 <= args.speed <= 10.0:
        parser.error("--speed must be between 1 and 10")
    if not 1 <= args.per_process <= DEVICES_PER_PROCESS:  # paho's select() loop: descriptors < 1024
        parser.error(f"--per-process must be between 1 and {DEVICES_PER_PROCESS}")
    if args.ramp:
        counts = [int(c) for c in args.ramp.split(",") if c.strip()]
        report = ramp(counts, args.step_duration, args.speed, args.auth, args.ramp_budget,
                      per_process=args.per_process)
        print(json.dumps(report, indent=1) if args.json else
              "\n".join([line(s) for s in report["steps"]] + [report["stopped"]]))
        return 0
    result = run_fleet(RunConfig(devices=args.devices, duration_s=args.duration, speed=args.speed,
                                 warmup_s=args.warmup, restart=not args.no_restart,
                                 persistence=not args.no_persistence, auth=args.auth,
                                 per_process=args.per_process))
    result["verdict"] = verdict(result)
    print(json.dumps(result, indent=1) if args.json else describe(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
