"""Loss, latency and rates from what the devices published and what the observer received."""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from typing import Any

from fleet_scale_observer import CHECKED


@dataclass
class Reports:
    """All device processes' reports, concatenated."""

    keys: array[int] = field(default_factory=lambda: array("q"))
    times: array[float] = field(default_factory=lambda: array("d"))
    qos: array[int] = field(default_factory=lambda: array("b"))
    lateness: array[float] = field(default_factory=lambda: array("d"))
    fed: dict[str, int] = field(default_factory=dict)
    published: dict[str, int] = field(default_factory=dict)
    expected_retained: dict[str, bytes] = field(default_factory=dict)


def merge_reports(bodies: list[dict[str, Any]]) -> Reports:
    merged = Reports()
    for body in bodies:
        merged.keys.frombytes(body["keys"])
        merged.times.frombytes(body["times"])
        merged.qos.frombytes(body["qos"])
        merged.lateness.frombytes(body["lateness"])
        for kind, count in body["fed"].items():
            merged.fed[kind] = merged.fed.get(kind, 0) + count
        for name, count in body["published"].items():
            merged.published[name] = merged.published.get(name, 0) + count
        merged.expected_retained.update(
            {t: p for t, p in body["last_retained"].items() if t.rsplit("/", 1)[-1] in CHECKED})
    return merged


def percentiles(values: list[float], scale: float = 1.0) -> dict[str, float | int | None]:
    """p50/p90/p99/max of ``values`` times ``scale`` (nearest rank), and how many there were."""
    ordered = sorted(v * scale for v in values if not math.isnan(v))
    if not ordered:
        return {"n": 0, "p50": None, "p90": None, "p99": None, "max": None}

    def rank(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))], 2)

    return {"n": len(ordered), "p50": rank(0.50), "p90": rank(0.90), "p99": rank(0.99),
            "max": round(ordered[-1], 2)}


def measure(reports: Reports, received: list[tuple[int, float, float]], t0: float,
            t1: float) -> dict[str, Any]:
    """Messages published in [t0, t1] and whether each arrived; latencies of those messages.

    ``event_to_receive_ms``: from the payload's ``ts`` (when the device made the event) to the
    observer's callback: outbox, paho, broker and observer together. ``publish_to_receive_ms``:
    from the device's ``publish()`` call to the observer's callback (broker and sockets).
    """
    arrival: dict[int, float] = {}
    for key, t_recv, _ts in received:
        arrival.setdefault(key, t_recv)
    sent = {0: 0, 1: 0}
    lost = {0: 0, 1: 0}
    transport: list[float] = []
    for key, t_pub, qos in zip(reports.keys, reports.times, reports.qos, strict=True):
        if not t0 <= t_pub <= t1:
            continue
        sent[qos] = sent.get(qos, 0) + 1
        arrived = arrival.get(key)
        if arrived is None:
            lost[qos] = lost.get(qos, 0) + 1
        else:
            transport.append(arrived - t_pub)
    end_to_end = [t_recv - ts for _key, t_recv, ts in received if t0 <= ts <= t1]
    span = t1 - t0
    total_sent = sum(sent.values())
    return {
        "window_s": round(span, 1),
        "sent": {"qos0": sent[0], "qos1": sent[1], "per_s": round(total_sent / span, 1)},
        "lost": {"qos0": lost[0], "qos1": lost[1]},
        "received_per_s": round(sum(1 for _k, t, _ts in received if t0 <= t <= t1) / span, 1),
        "fed": reports.fed,  # events put on the buses, the whole run (start-up track included)
        "published": reports.published,  # publish() calls by topic name, the whole run
        "event_to_receive_ms": percentiles(end_to_end, 1000.0),
        "publish_to_receive_ms": percentiles(transport, 1000.0),
        "feed_lateness_ms": percentiles(list(reports.lateness), 1000.0),
    }
