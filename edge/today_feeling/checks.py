"""One health check's verdict, the same shape wherever a check is made.

A leaf module: ``doctor`` aggregates checks from adapters (``music.health``, ``mqtt.check``)
that must not import the doctor (it loads the camera and the model runtime).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """What ``today-feeling doctor`` prints: the verdict, a detail line and what to do (a passing
    check may carry advice too, e.g. 'index the rest of the library')."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
