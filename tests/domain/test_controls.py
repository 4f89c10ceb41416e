"""The shared control store: compare-and-set keeps a person's newer request."""

from __future__ import annotations

from today_feeling.domain.controls import Controls, ControlState


def test_update_if_applies_only_while_the_expected_value_holds() -> None:
    controls = Controls()
    heard: list[tuple[ControlState, ControlState]] = []
    controls.subscribe(lambda old, new: heard.append((old, new)))

    assert controls.update_if({"paused": False}, paused=True) is True
    assert controls.state.paused is True
    assert [new.paused for _, new in heard] == [True]

    controls.update(paused=False)  # a person resumes...
    # ...and a mirror of the device's older truth, still expecting True, must not undo it
    assert controls.update_if({"paused": True}, paused=True) is False
    assert controls.state.paused is False
    assert [new.paused for _, new in heard] == [True, False]


def test_update_if_with_no_change_notifies_nobody() -> None:
    controls = Controls(ControlState(volume=40))
    heard: list[ControlState] = []
    controls.subscribe(lambda old, new: heard.append(new))
    assert controls.update_if({"volume": 40}, volume=40) is True
    assert heard == []
