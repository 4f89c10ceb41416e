"""GStreamer pipelines as a frame source, with Debian's real gst-launch-1.0 (videotestsrc, a file)."""

from __future__ import annotations

import itertools
import shutil
import time

import numpy as np
import pytest

from tests.media import media
from tests.support.wait import wait_for
from today_feeling.backoff import Backoff
from today_feeling.capture.factory import is_live, make_source
from today_feeling.capture.gstreamer import GstSource
from today_feeling.capture.worker import CaptureWorker
from today_feeling.config.settings import CaptureSettings
from today_feeling.errors import SourceError

pytestmark = pytest.mark.skipif(
    shutil.which("gst-launch-1.0") is None,
    reason="GStreamer's tools are not installed (apt-get install gstreamer1.0-tools)")


def test_videotestsrc_gives_frames_of_the_configured_size_then_ends() -> None:
    settings = CaptureSettings(width=160, height=120)
    source = make_source("gst:videotestsrc num-buffers=5 pattern=smpte", settings)
    assert isinstance(source, GstSource) and is_live("gst:videotestsrc")
    source.open()
    try:
        frames = [source.read() for _ in range(5)]
        assert all(f is not None and f.image.shape == (120, 160, 3) for f in frames)
        assert frames[0].image.std() > 20  # colour bars, not an empty buffer
        assert source.read() is None  # end of stream: gst-launch exits 0
    finally:
        source.close()


def test_a_file_pipeline_decodes_the_real_video_and_skips_frames() -> None:
    pipeline = f"gst:filesrc location={media('single_face.mp4')} ! decodebin"
    source = GstSource(pipeline, 320, 180)
    source.open()
    try:
        assert all(source.skip() for _ in range(10))
        frame = source.read()
        assert frame is not None and frame.index == 10 and frame.image.mean() > 30
        count = 11
        while source.skip():
            count += 1
        assert count == 72  # every frame of the clip, none invented
    finally:
        source.close()


def test_capture_fps_caps_the_pipeline_before_conversion() -> None:
    """A 30 fps file through a source asked for 8 fps: about 8 of every 30 frames, none repeated."""
    settings = CaptureSettings(width=64, height=36, fps=8)
    source = make_source(f"gst:filesrc location={media('single_face.mp4')} ! decodebin", settings)
    source.open()
    try:
        frames = []
        while (frame := source.read()) is not None:
            frames.append(frame.image)
    finally:
        source.close()
    assert 17 <= len(frames) <= 21  # 72 frames, 2.4 s of video at 8 fps
    assert all(not np.array_equal(a, b) for a, b in itertools.pairwise(frames))


def test_a_broken_pipeline_says_what_gstreamer_said() -> None:
    source = GstSource("gst:nosuchelement", 64, 48)
    source.open()
    try:
        with pytest.raises(SourceError, match="nosuchelement"):
            source.read()
    finally:
        source.close()


def test_the_capture_worker_reopens_a_pipeline_that_ended() -> None:
    source = GstSource("gst:videotestsrc num-buffers=3", 64, 48)
    states: list[str] = []
    worker = CaptureWorker(source, Backoff(0.05, 0.1, jitter=0), lambda s, ok, d: states.append(s))
    worker.start()
    try:
        wait_for(lambda: worker.frames_read >= 7, 20.0, "seven frames over three runs of three",
                 poll_s=0.01)
        assert "ended" in states and states.count("streaming") >= 2
    finally:
        worker.stop()


def test_close_stops_a_live_pipeline_promptly() -> None:
    source = GstSource("gst:videotestsrc is-live=true", 64, 48)
    source.open()
    assert source.read() is not None
    started = time.monotonic()
    source.close()
    assert time.monotonic() - started < 3.0
