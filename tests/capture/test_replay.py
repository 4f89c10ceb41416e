"""Replayed media paced like a camera: still images at their configured rate."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from tests.support.clock import ManualClock
from today_feeling.capture.replay import ReplaySource


def test_replay_paces_images_at_their_rate(tmp_path: Path) -> None:
    for i in range(3):
        cv2.imwrite(str(tmp_path / f"{i}.png"), np.full((10, 10, 3), i, np.uint8))
    clock = ManualClock()
    source = ReplaySource(tmp_path, realtime=True, image_fps=4.0, clock=clock, sleep=clock.sleep)
    source.open()
    frames = [source.read() for _ in range(3)]
    assert source.read() is None
    assert [f.source_name for f in frames] == ["0.png", "1.png", "2.png"]
    assert [f.media_t for f in frames] == [0.0, 0.25, 0.5]
    assert clock.slept == [0.25, 0.25]
