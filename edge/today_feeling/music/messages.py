"""What the music worker's inbox carries: one typed message per thing that happened.

Other threads (the pipeline's mood, the controls, MQTT actions, MPD's idle connection, the
scanner) never touch MPD themselves; they post one of these and the worker handles them in
order. ``generation`` ties idle results to the connection they came from, so a late answer
from a dropped connection cannot act on the new one.
"""

from __future__ import annotations

from dataclasses import dataclass

from today_feeling.domain.controls import ControlState
from today_feeling.events import MoodChanged


@dataclass(frozen=True)
class MoodCommitted:
    event: MoodChanged


@dataclass(frozen=True)
class ControlsChanged:
    old: ControlState
    new: ControlState


@dataclass(frozen=True)
class ActionRequested:
    """A one-shot control: ``next``, ``like`` or ``dislike``."""

    action: str


@dataclass(frozen=True)
class ServerChanged:
    """MPD's idle answer: the subsystems that changed (player, playlist, sticker, ...)."""

    changed: tuple[str, ...]
    generation: int


@dataclass(frozen=True)
class Resync:
    """Just (re)connected: adopt MPD's state and load the index."""


@dataclass(frozen=True)
class IdleLost:
    generation: int


@dataclass(frozen=True)
class Tick:
    """Nothing arrived within the wait: time for the ramp, the reload and the poll."""


@dataclass(frozen=True)
class Stop:
    pass


Message = (MoodCommitted | ControlsChanged | ActionRequested | ServerChanged | Resync | IdleLost
           | Tick | Stop)
