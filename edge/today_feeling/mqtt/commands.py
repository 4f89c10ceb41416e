"""Validation of ``<base>/<feature>/set`` payloads and their effect on Controls.

Anything from the network is untrusted: a command is parsed into a small typed value
or rejected with a reason that the service logs; nothing here can raise anything else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from today_feeling.domain.controls import MODES, Controls
from today_feeling.domain.quiet_hours import normalise

_ON = ("on", "true", "1")
_OFF = ("off", "false", "0")


class CommandError(ValueError):
    """The command is ignored; the message says why (it is logged)."""


@dataclass(frozen=True)
class Command:
    """A validated command: ``value`` is bool (privacy, paused), str (mode; feedback: "like"
    or "dislike"; quiet_hours: "22:00-07:00" or "" for off), int (volume) or None (next)."""

    feature: str
    value: bool | str | int | None


def _text(payload: bytes) -> str:
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError as err:
        raise CommandError("payload is not UTF-8") from err
    if not text.isprintable():
        raise CommandError("payload has control characters")
    return text


def _on_off(text: str) -> bool:
    low = text.lower()
    if low in _ON:
        return True
    if low in _OFF:
        return False
    raise CommandError("expected ON or OFF")


def _mode(text: str) -> str:
    low = text.lower()
    if low not in MODES:
        raise CommandError(f"expected one of {', '.join(MODES)}")
    return low


def _volume(text: str) -> int:
    try:
        number = float(text)
    except ValueError as err:
        raise CommandError("expected an integer 0-100") from err
    if not math.isfinite(number) or number != int(number) or not 0 <= number <= 100:
        raise CommandError("expected an integer 0-100")
    return int(number)


_FEEDBACK = {"up": "like", "like": "like", "down": "dislike", "dislike": "dislike"}


def _feedback(text: str) -> str:
    signal = _FEEDBACK.get(text.lower())
    if signal is None:
        raise CommandError("expected UP or DOWN (thumbs up or down for the playing track)")
    return signal


def parse_command(feature: str | None, payload: bytes, max_bytes: int) -> Command:
    """Validate one command; raise :class:`CommandError` for anything unusable."""
    if feature is None:
        raise CommandError("not a command topic")
    if len(payload) > max_bytes:
        raise CommandError(f"payload of {len(payload)} bytes exceeds {max_bytes}")
    if feature == "next":
        return Command("next", None)  # any payload presses the button (HA sends PRESS)
    text = _text(payload)
    if feature in ("privacy", "paused"):
        return Command(feature, _on_off(text))
    if feature == "mode":
        return Command(feature, _mode(text))
    if feature == "volume":
        return Command(feature, _volume(text))
    if feature == "feedback":
        return Command(feature, _feedback(text))
    if feature == "quiet_hours":
        try:
            return Command(feature, normalise(text))
        except ValueError as err:
            raise CommandError(str(err)) from err
    raise CommandError(f"unknown command {feature!r}")


def apply_command(command: Command, controls: Controls) -> None:
    """Hand a validated command to the shared Controls (the pipeline and player react)."""
    if command.feature == "next":
        controls.trigger("next")
    elif command.feature == "feedback":
        controls.trigger(str(command.value))  # "like" / "dislike": the music service acts
    else:
        controls.update(**{command.feature: command.value})
