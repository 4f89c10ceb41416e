"""Prometheus text format 0.0.4: the few line builders /metrics needs (no client library).

Kept apart from the collector so that what is measured and how it is written can change
separately; every family gets HELP and TYPE lines before its samples, as scrapers expect.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

PREFIX = "today_feeling"


def gauge(lines: list[str], name: str, doc: str, value: float | None) -> None:
    """One unlabelled gauge; nothing at all when the value is not known yet."""
    if value is None:
        return  # an absent sample is clearer than a fake zero
    full = f"{PREFIX}_{name}"
    lines += [f"# HELP {full} {doc}", f"# TYPE {full} gauge", f"{full} {num(value)}"]


def counter(lines: list[str], name: str, doc: str, value: int) -> None:
    """A counter since the daemon started (0 is a true value for a counter)."""
    full = f"{PREFIX}_{name}"
    lines += [f"# HELP {full} {doc}", f"# TYPE {full} counter", f"{full} {value}"]


def labelled(lines: list[str], name: str, doc: str, label: str,
             samples: Iterable[tuple[str, float]]) -> None:
    """A gauge family with one label: one sample per (label value, value); ints (and bools)
    are written as integers, "1" rather than "1.0", as the one-hot families always were."""
    full = f"{PREFIX}_{name}"
    lines += [f"# HELP {full} {doc}", f"# TYPE {full} gauge"]
    lines += [f"{full}{labels(**{label: key})} {_sample(value)}" for key, value in samples]


def _sample(value: float) -> str:
    return str(int(value)) if isinstance(value, int) else num(value)


def labels(**values: str) -> str:
    inner = ",".join(f'{k}="{escape(v)}"' for k, v in values.items())
    return "{" + inner + "}"


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def num(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))
