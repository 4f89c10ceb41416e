"""MQTT commands: validation of hostile payloads, and what a valid one changes."""

from __future__ import annotations

import pytest

from today_feeling.domain.controls import Controls, ControlState
from today_feeling.events import ProfileRequest
from today_feeling.mqtt.commands import Command, CommandError, apply_command, parse_command, profile_request


@pytest.mark.parametrize(("feature", "payload", "value"), [
    ("privacy", b"ON", True), ("privacy", b" off\n", False), ("paused", b"on", True),
    ("mode", b"LIFT", "lift"), ("volume", b"55", 55), ("volume", b"55.0", 55),
    ("volume", b"0", 0), ("volume", b"100", 100), ("next", b"PRESS", None), ("next", b"", None),
    ("feedback", b"UP", "like"), ("feedback", b" down\n", "dislike"), ("feedback", b"Like", "like"),
    ("feedback", b"dislike", "dislike"), ("quiet_hours", b"22:00-07:00", "22:00-07:00"),
    ("quiet_hours", b" 7:05 - 9:30 ", "07:05-09:30"), ("quiet_hours", b"OFF", ""),
    ("profile", "민지".encode(), "민지"), ("profile", b"None", ""), ("profile", b"", ""),
    ("correction", b"Angry", "anger"), ("correction", b"happiness", "happiness"),
    ("correction_undo", b"LAST", "last"), ("correction_undo", b"c1764-ab12", "c1764-ab12"),
    ("profile_delete", b"ana", "ana"), ("enrol", "BEGIN 민지".encode(), "begin 민지"),
    ("enrol", b"capture sad", "capture sadness"), ("enrol", b"FINISH", "finish"),
    ("enrol", b"cancel", "cancel"),
])
def test_valid_commands(feature: str, payload: bytes, value: object) -> None:
    assert parse_command(feature, payload, 256) == Command(feature, value)  # type: ignore[arg-type]


@pytest.mark.parametrize(("feature", "payload"), [
    ("privacy", b"maybe"), ("privacy", b"\xff\xfe"), ("privacy", b"O\x00N"), ("mode", b"party"),
    ("volume", b"101"), ("volume", b"-1"), ("volume", b"55.5"), ("volume", b"nan"),
    ("volume", b"inf"), ("volume", b"loud"), ("bogus", b"ON"), (None, b"ON"),
    ("privacy", b"ON" * 200), ("next", b"x" * 300), ("feedback", b"sideways"), ("feedback", b""),
    ("feedback", b"UP" * 200), ("quiet_hours", b"25:00-07:00"), ("quiet_hours", b"tonight"),
    ("quiet_hours", b"22:00"), ("profile", b"../../etc/passwd"), ("profile", b"a" * 40),
    ("correction", b"contempt"), ("correction_undo", b"x;rm"), ("profile_delete", b"none"),
    ("profile_delete", b".."), ("enrol", b"begin"), ("enrol", b"capture joyish"), ("enrol", b"dance"),
])
def test_invalid_commands_are_rejected(feature: str | None, payload: bytes) -> None:
    with pytest.raises(CommandError):
        parse_command(feature, payload, 256)


def test_apply_command_updates_controls_and_triggers_actions() -> None:
    controls, actions = Controls(), []
    controls.subscribe_actions(actions.append)
    apply_command(Command("privacy", True), controls)
    apply_command(Command("volume", 30), controls)
    apply_command(Command("next", None), controls)
    apply_command(Command("feedback", "dislike"), controls)
    assert controls.state.privacy is True
    assert controls.state.volume == 30
    assert actions == ["next", "dislike"]


def test_every_state_command_reaches_its_control() -> None:
    controls = Controls()
    for feature, payload in (("paused", b"ON"), ("mode", b"Lift"), ("quiet_hours", b"22:00-07:00"),
                             ("profile", b"mina")):
        apply_command(parse_command(feature, payload, 256), controls)
    state = controls.state
    assert (state.paused, state.mode, state.quiet_hours, state.profile) == (True, "lift", "22:00-07:00",
                                                                          "mina")


def test_a_command_that_is_no_control_change_is_refused_not_stored() -> None:
    controls = Controls()
    with pytest.raises(CommandError, match="not a control change"):
        apply_command(Command("volume", True), controls)  # bool is an int, but not a volume
    assert controls.state == ControlState()


def test_profile_commands_become_requests_for_the_profiles_runtime() -> None:
    assert profile_request(Command("correction", "anger")) == ProfileRequest("correct", "anger")
    assert profile_request(Command("correction_undo", "last")) == ProfileRequest("undo", "last")
    assert profile_request(Command("profile_delete", "ana")) == ProfileRequest("delete", "ana")
    assert profile_request(Command("enrol", "begin 민지")) == ProfileRequest("enrol_begin", "민지")
    assert profile_request(Command("enrol", "finish")) == ProfileRequest("enrol_finish", "")
    assert profile_request(Command("profile", "ana")) is None  # a control: Controls.profile
