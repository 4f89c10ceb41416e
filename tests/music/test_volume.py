"""The volume ramp: linear steps that end on the target."""

from __future__ import annotations

from tests.support.clock import ManualClock
from today_feeling.music.volume import VolumeRamp


def test_volume_ramp_is_linear_and_ends_on_target() -> None:
    clock = ManualClock()
    ramp = VolumeRamp(2.0, clock)
    ramp.observe(20)
    ramp.set_target(60)
    levels = []
    while ramp.active:
        clock.advance(0.5)
        level = ramp.step()
        if level is not None:
            levels.append(level)
    assert levels == [30, 40, 50, 60]
    ramp.set_target(60)
    assert not ramp.active  # already there
