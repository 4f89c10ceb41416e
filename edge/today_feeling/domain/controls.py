"""User-facing switches shared by MQTT, the dashboard and the pipeline.

One small thread-safe store so that every command source (MQTT, HTTP, CLI) changes
the same state and every consumer (capture, director, publishers) is told once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, TypedDict, get_args

if TYPE_CHECKING:  # annotations only: typing.Unpack is 3.11+, the package also runs on 3.10
    from typing import Unpack  # novermin (type checkers only)

logger = logging.getLogger(__name__)

Mode = Literal["match", "lift", "off"]
MODES: tuple[Mode, ...] = get_args(Mode)
"""The music modes, declared once (``Mode``); ``director.mode`` in the config is the same type."""


@dataclass(frozen=True)
class ControlState:
    """What the user asked for; the daemon converges to it."""

    privacy: bool = False
    """True closes the camera: no frame is read until it is turned off."""
    paused: bool = False
    mode: Mode = "match"
    volume: int | None = None
    """0-100, or None when unknown (no MPD yet)."""
    quiet_hours: str = ""
    """Daily local span like "22:00-07:00" in which music never starts and stays soft ("" off)."""
    profile: str = ""
    """Whose profile calibrates the emotion model ("" none: the model's own probabilities)."""


class ControlChanges(TypedDict, total=False):
    """Some of :class:`ControlState`'s fields, for ``update``: a typo or a wrong type is a type error."""

    privacy: bool
    paused: bool
    mode: Mode
    volume: int | None
    quiet_hours: str
    profile: str


Listener = Callable[[ControlState, ControlState], None]
ActionListener = Callable[[str], None]


class Controls:
    """Thread-safe holder of :class:`ControlState` with change and action notifications."""

    def __init__(self, initial: ControlState | None = None) -> None:
        self._lock = threading.Lock()
        self._state = initial or ControlState()
        self._listeners: list[Listener] = []
        self._action_listeners: list[ActionListener] = []

    @property
    def state(self) -> ControlState:
        with self._lock:
            return self._state

    def subscribe(self, listener: Listener) -> None:
        """``listener(old, new)`` runs on the caller's thread after every change; keep it quick."""
        self._listeners.append(listener)

    def subscribe_actions(self, listener: ActionListener) -> None:
        """``listener(action)`` for one-shot commands such as ``"next"``."""
        self._action_listeners.append(listener)

    def update(self, **changes: Unpack[ControlChanges]) -> ControlState:
        """Apply changes (privacy, paused, mode, volume, quiet_hours, profile); listeners hear only real
        changes."""
        with self._lock:
            old = self._state
            new = replace(old, **changes)
            self._state = new
        self._notify(old, new)
        return new

    def update_if(self, expected: ControlChanges, **changes: Unpack[ControlChanges]) -> bool:
        """Apply ``changes`` only while the ``expected`` fields still hold (compare-and-set).

        Why: a service mirroring a device's truth into the store must not overwrite a request a
        person made a moment ago that the service has not acted on yet.
        """
        with self._lock:
            old = self._state
            if any(getattr(old, name) != value for name, value in expected.items()):
                return False
            new = replace(old, **changes)
            self._state = new
        self._notify(old, new)
        return True

    def _notify(self, old: ControlState, new: ControlState) -> None:
        if new == old:
            return
        for listener in list(self._listeners):
            try:
                listener(old, new)
            except Exception:
                logger.exception("control listener failed")

    def trigger(self, action: str) -> None:
        """Fire a one-shot action (e.g. ``"next"``) to every action listener."""
        for listener in list(self._action_listeners):
            try:
                listener(action)
            except Exception:
                logger.exception("action listener failed for %s", action)
