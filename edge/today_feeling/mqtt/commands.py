"""Validation of ``<base>/<feature>/set`` payloads and their effect on Controls.

Anything from the network is untrusted: a command is parsed into a small typed value
or rejected with a reason that the service logs; nothing here can raise anything else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from today_feeling.domain.controls import MODES, ControlChanges, Controls, Mode
from today_feeling.domain.emotions import EMOTIONS, canonical_emotion
from today_feeling.domain.profile_names import NO_PROFILE, check_profile_name
from today_feeling.domain.quiet_hours import normalise
from today_feeling.events import ProfileRequest

_MODE_OF: dict[str, Mode] = {mode: mode for mode in MODES}
_ON = ("on", "true", "1")
_OFF = ("off", "false", "0")


class CommandError(ValueError):
    """The command is ignored; the message says why (it is logged)."""


@dataclass(frozen=True)
class Command:
    """A validated command: ``value`` is bool (privacy, paused), str (mode; feedback: "like"
    or "dislike"; quiet_hours: "22:00-07:00" or "" for off; profile: a name or "" for none;
    correction: an emotion; correction_undo: an id or "last"; profile_delete: a name; enrol:
    "begin NAME", "capture EMOTION", "finish" or "cancel"), int (volume) or None (next)."""

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


_CORRECTION_ID = re.compile(r"^[A-Za-z0-9-]{1,40}$")
#: ``<base>/<feature>/set`` features that change a profile rather than a control.
PROFILE_ACTIONS = {"correction": "correct", "correction_undo": "undo", "profile_delete": "delete"}
_ENROL_VERBS = ("begin", "capture", "finish", "cancel")


def _emotion(text: str) -> str:
    emotion = canonical_emotion(text)
    if emotion is None:
        raise CommandError(f"expected an emotion: {', '.join(EMOTIONS)}")
    return emotion


def _profile_name(text: str) -> str:
    try:
        return check_profile_name(text)
    except ValueError as err:
        raise CommandError(str(err)) from err


def _enrol(text: str) -> str:
    """'BEGIN name' | 'CAPTURE emotion' | 'FINISH' | 'CANCEL', normalised to 'verb value'."""
    verb, _, rest = text.partition(" ")
    verb = verb.lower()
    if verb not in _ENROL_VERBS:
        raise CommandError("expected BEGIN NAME, CAPTURE EMOTION, FINISH or CANCEL")
    if verb == "begin":
        return f"begin {_profile_name(rest)}"
    if verb == "capture":
        return f"capture {_emotion(rest)}"
    return verb


def _profile_feature(feature: str, text: str) -> Command:
    if feature == "profile":
        return Command(feature, "" if text.lower() in NO_PROFILE else _profile_name(text))
    if feature == "correction":
        return Command(feature, _emotion(text))
    if feature == "correction_undo":
        if text.lower() != "last" and not _CORRECTION_ID.match(text):
            raise CommandError("expected a correction id (from <base>/profiles) or LAST")
        return Command(feature, text.lower() if text.lower() == "last" else text)
    if feature == "profile_delete":
        return Command(feature, _profile_name(text))
    return Command(feature, _enrol(text))


def profile_request(command: Command) -> ProfileRequest | None:
    """The request a profile command makes of the profiles runtime (None for other commands)."""
    value = str(command.value)
    if command.feature in PROFILE_ACTIONS:
        return ProfileRequest(PROFILE_ACTIONS[command.feature], value)
    if command.feature == "enrol":
        verb, _, rest = value.partition(" ")
        return ProfileRequest(f"enrol_{verb}", rest)
    return None


def _quiet_hours(text: str) -> str:
    try:
        return normalise(text)
    except ValueError as err:
        raise CommandError(str(err)) from err


#: Text commands: feature -> parser of the payload text into the command's value.
_TEXT_PARSERS: dict[str, Callable[[str], bool | str | int]] = {
    "privacy": _on_off, "paused": _on_off, "mode": _mode, "volume": _volume,
    "feedback": _feedback, "quiet_hours": _quiet_hours,
}


def parse_command(feature: str | None, payload: bytes, max_bytes: int) -> Command:
    """Validate one command; raise :class:`CommandError` for anything unusable."""
    if feature is None:
        raise CommandError("not a command topic")
    if len(payload) > max_bytes:
        raise CommandError(f"payload of {len(payload)} bytes exceeds {max_bytes}")
    if feature == "next":
        return Command("next", None)  # any payload presses the button (HA sends PRESS)
    text = _text(payload)
    if feature in ("profile", "enrol", *PROFILE_ACTIONS):
        return _profile_feature(feature, text)
    parser = _TEXT_PARSERS.get(feature)
    if parser is None:
        raise CommandError(f"unknown command {feature!r}")
    return Command(feature, parser(text))


def apply_command(command: Command, controls: Controls) -> None:
    """Hand a validated command to the shared Controls (the pipeline and player react)."""
    if command.feature == "next":
        controls.trigger("next")
    elif command.feature == "feedback":
        controls.trigger(str(command.value))  # "like" / "dislike": the music service acts
    else:
        controls.update(**_control_change(command))


def _control_change(command: Command) -> ControlChanges:
    """A state command as typed Controls changes (its parser has already checked the value)."""
    match command.feature, command.value:
        case "privacy", bool(on):
            return {"privacy": on}
        case "paused", bool(paused):
            return {"paused": paused}
        case "mode", str(name) if name in _MODE_OF:
            return {"mode": _MODE_OF[name]}
        case "volume", int(volume) if not isinstance(volume, bool):
            return {"volume": volume}
        case "quiet_hours", str(span):
            return {"quiet_hours": span}
        case "profile", str(name):
            return {"profile": name}
    raise CommandError(f"{command.feature}={command.value!r} is not a control change")
