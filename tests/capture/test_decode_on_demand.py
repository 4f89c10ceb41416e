"""Decode only what is analysed: skipped frames, a looped clip from memory, idle camera rates."""

from __future__ import annotations

import logging
import shutil
import time

import cv2
import numpy as np
import pytest

from tests.fakes.camera import FakePicamera2, FlakyCamera
from tests.media import media
from tests.support.wait import wait_for
from today_feeling.backoff import Backoff
from today_feeling.capture.opencv_source import OpenCvSource
from today_feeling.capture.picamera import PiCameraSource
from today_feeling.capture.replay import ReplaySource
from today_feeling.capture.worker import CaptureWorker
from today_feeling.errors import SourceError


@pytest.fixture
def demand_worker():
    camera = FlakyCamera()  # ~100 frames/s
    worker = CaptureWorker(camera, Backoff(0.05, 0.2, jitter=0), rates=(15.0, 5.0))
    worker.start()
    yield camera, worker
    worker.stop()


def test_without_requests_every_frame_is_decoded(demand_worker) -> None:
    camera, worker = demand_worker
    wait_for(lambda: worker.frames_read > 10, 5.0, "more than ten frames read", poll_s=0.01)
    assert worker.frames_skipped == 0
    assert camera.decoded - worker.frames_read in (0, 1)  # (one may be in flight)


def test_frames_before_the_due_time_are_skipped_not_decoded(demand_worker) -> None:
    camera, worker = demand_worker  # a camera as fast as it can be read
    frame = worker.latest(-1, timeout=2)
    worker.request(time.monotonic(), idle=False)
    frame = worker.latest(frame.index, timeout=2)
    read, skipped = worker.frames_read, worker.frames_skipped
    taken = []
    for _ in range(4):  # an analysis loop at ~4 frames/s
        due = time.monotonic() + 0.25
        worker.request(due, idle=False)
        frame = worker.latest(frame.index, timeout=2)
        assert frame is not None and time.monotonic() >= due - 0.05  # fresh at its due time
        taken.append(frame)
    time.sleep(0.3)  # nobody asks: nothing is decoded
    decoded = camera.decoded
    time.sleep(0.2)
    assert camera.decoded == decoded
    assert worker.frames_skipped - skipped > 100
    assert worker.frames_read - read <= len(taken) + 1  # (one may be decoded for a replaced request)


def test_an_empty_room_asks_the_camera_for_its_idle_rate(demand_worker) -> None:
    camera, worker = demand_worker
    wait_for(lambda: camera.rates == [15.0], 5.0, "the camera at 15 frames/s", poll_s=0.01)
    worker.request(time.monotonic() + 0.1, idle=True)
    wait_for(lambda: camera.rates == [15.0, 5.0], 5.0, "the camera down to 5 frames/s", poll_s=0.01)
    worker.request(time.monotonic() + 0.1, idle=False)
    wait_for(lambda: camera.rates == [15.0, 5.0, 15.0], 5.0, "the camera back at 15 frames/s", poll_s=0.01)


def test_privacy_off_decodes_again_without_waiting_for_a_request(demand_worker) -> None:
    _, worker = demand_worker
    frame = worker.latest(-1, timeout=2)
    worker.request(time.monotonic() + 60, idle=True)  # nothing wanted for a minute
    worker.set_privacy(True)
    wait_for(lambda: worker.state == "privacy", 5.0, "the worker in privacy", poll_s=0.01)
    worker.set_privacy(False)
    assert worker.latest(frame.index, timeout=2) is not None


def test_a_looped_clip_is_decoded_once_then_served_from_memory(caplog) -> None:
    path = media("single_face.mp4")  # 72 frames
    reference = []
    capture = cv2.VideoCapture(str(path))
    while (got := capture.read())[0]:
        reference.append(got[1])
    source = ReplaySource(path, realtime=False, loop=True)
    source.open()
    first = [source.read() for _ in range(len(reference))]
    assert all(f is not None for f in first)
    with caplog.at_level(logging.INFO, logger="today_feeling.capture.clip_cache"):
        assert source.skip()  # the end of the first pass: the clip is in memory from here on
    assert "72 frames kept in memory" in caplog.text
    assert all(source.skip() for _ in range(9))
    frame = source.read()
    assert frame is not None and frame.index == len(reference) + 10
    assert frame.media_t == pytest.approx(frame.index / 30)
    # JPEG at quality 95 in memory: the pixels of frame 10 of the clip, within a few levels
    assert np.abs(frame.image.astype(int) - reference[10].astype(int)).mean() < 2.0
    source.close()


def test_a_clip_over_the_memory_budget_is_replayed_by_decoding() -> None:
    path = media("single_face.mp4")
    source = ReplaySource(path, realtime=False, loop=True, clip_budget_bytes=100_000)
    source.open()
    frames = [source.read() for _ in range(80)]  # past the end: reopened, read from the file
    assert all(f is not None for f in frames)
    assert np.array_equal(frames[72].image, frames[0].image)  # the same decoder, the same pixels
    source.close()


def test_opencv_skip_grabs_without_decoding_and_ends_with_the_file() -> None:
    source = OpenCvSource(str(media("single_face.mp4")), 0, 0, 0)
    source.open()
    skipped = 0
    while source.skip():
        skipped += 1
    assert skipped == 72
    assert source.read() is None
    source.close()


def test_pi_camera_skip_hands_the_buffer_back_and_rate_changes_live() -> None:
    fake = FakePicamera2()
    source = PiCameraSource(640, 480, 15, factory=lambda: fake, pi_model="Raspberry Pi 5")
    source.open()
    assert source.skip()
    assert len(fake.requests) == 1 and fake.requests[0].released
    source.set_frame_rate(5.0)
    assert fake.controls == [{"FrameRate": 5.0}]
    source.close()


def test_a_looped_clip_whose_file_is_gone_ends_at_the_loop_boundary(tmp_path) -> None:
    path = tmp_path / "clip.mp4"
    shutil.copy(media("single_face.mp4"), path)
    source = ReplaySource(path, realtime=False, loop=True)
    source.open()
    for _ in range(72 + 5):  # the first pass and a few frames from memory
        assert source.skip()
    path.unlink()
    for _ in range(72 - 5):  # what is left of this pass still plays
        assert source.skip()
    with pytest.raises(SourceError, match="is gone"):
        source.skip()
    source.close()
