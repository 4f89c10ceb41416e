"""A replay in real time behaves as a camera asked for a frame rate; as fast as possible it
keeps every frame."""

from __future__ import annotations

import pytest

from tests.media import media
from tests.support.clock import ManualClock
from today_feeling.capture.replay import ReplaySource


def test_a_real_time_replay_is_a_camera_at_the_rate_asked_for() -> None:
    """30 frames/s recorded, 5 asked for: every 6th frame, one wait per delivered frame."""
    path = media("single_face.mp4")  # 72 frames at 30 fps
    clock = ManualClock()
    source = ReplaySource(path, realtime=True, clock=clock, sleep=clock.sleep)
    source.open()
    source.set_frame_rate(5.0)
    frames = [source.read() for _ in range(3)]
    assert [f.index for f in frames if f is not None] == [5, 11, 17]
    assert [round(f.media_t, 3) for f in frames if f is not None] == [0.167, 0.367, 0.567]
    assert source.skip()  # a skipped frame is passed over at the same rate
    assert clock.slept == pytest.approx([0.2, 0.2, 0.2])  # the first frame is due at once
    assert sum(source.skip() for _ in range(20)) == 8  # 72 frames: 12 deliveries, then the end
    source.close()
    source.open()  # a reopened source starts at the recording's rate until asked again
    source.set_frame_rate(100.0)  # faster than the recording: every frame
    assert [source.read().index for _ in range(3)] == [72, 73, 74]  # type: ignore[union-attr]


def test_a_replay_as_fast_as_possible_keeps_every_frame() -> None:
    source = ReplaySource(media("single_face.mp4"), realtime=False)
    source.open()
    source.set_frame_rate(5.0)  # an evaluation sees every frame whatever the camera settings say
    assert [source.read().index for _ in range(3)] == [0, 1, 2]  # type: ignore[union-attr]
    source.close()
