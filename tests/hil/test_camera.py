"""The camera delivers frames of the configured size at the configured rate."""

from __future__ import annotations

import itertools
import os
import time

import pytest

from today_feeling.capture.factory import is_live, make_source
from today_feeling.config.settings import Settings
from today_feeling.errors import SourceError

#: Fraction of capture.fps the camera must reach (auto-exposure in dim rooms may lower it).
MIN_RATE_FRACTION = float(os.environ.get("TODAY_FEELING_HIL_MIN_RATE_FRACTION", "0.8"))
WARMUP_S = 2.0
MEASURE_S = 5.0


@pytest.mark.usefixtures("service_stopped")
def test_camera_delivers_frames_at_configured_rate(settings: Settings) -> None:
    capture = settings.capture
    if not is_live(capture.source):
        pytest.skip(f"capture.source {capture.source!r} is a file or folder, not a camera")
    try:
        source = make_source(capture.source, capture)
        source.open()
    except SourceError as err:
        pytest.skip(f"no camera: {err}")
    try:
        end_warmup = time.monotonic() + WARMUP_S
        while time.monotonic() < end_warmup:
            assert source.read() is not None, "the camera ended during warm-up"
        stamps = []
        shape = None
        end = time.monotonic() + MEASURE_S
        while time.monotonic() < end:
            frame = source.read()
            assert frame is not None, "the camera ended"
            stamps.append(frame.t)
            shape = frame.image.shape
    finally:
        source.close()
    assert shape == (capture.height, capture.width, 3)
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    assert rate >= MIN_RATE_FRACTION * capture.fps, f"{rate:.1f} frames/s, configured {capture.fps}"
    assert all(b > a for a, b in itertools.pairwise(stamps)), "timestamps not increasing"
