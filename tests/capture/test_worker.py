"""Capture: newest-frame mailbox, reopen with backoff, privacy closes the camera, pacing."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.fakes.camera import FakePicamera2, FlakyCamera
from today_feeling.backoff import Backoff
from today_feeling.capture.picamera import PiCameraSource, use_lores_stream
from today_feeling.capture.replay import ReplaySource
from today_feeling.capture.worker import CaptureWorker


def wait_until(predicate, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@pytest.fixture
def camera_worker():
    camera = FlakyCamera()
    states: list[str] = []
    worker = CaptureWorker(camera, Backoff(0.05, 0.2, jitter=0), lambda s, ok, d: states.append(s))
    worker.start()
    yield camera, worker, states
    worker.stop()


def test_latest_returns_only_the_newest_frame(camera_worker) -> None:
    _, worker, _ = camera_worker
    first = worker.latest(-1, timeout=2)
    time.sleep(0.1)
    second = worker.latest(first.index, timeout=2)
    assert second.index > first.index + 1  # frames in between were dropped, not queued


def test_unplugged_camera_is_retried_and_recovers(camera_worker) -> None:
    camera, worker, states = camera_worker
    assert worker.latest(-1, timeout=2) is not None
    camera.present.clear()
    assert wait_until(lambda: worker.state == "retrying")
    time.sleep(0.3)
    camera.present.set()
    assert wait_until(lambda: worker.state == "streaming")
    assert camera.opens >= 2
    assert worker.latest(-1, timeout=2) is not None
    assert states[:3] == ["streaming", "retrying", "streaming"]


def test_privacy_closes_the_camera_until_turned_off(camera_worker) -> None:
    camera, worker, _ = camera_worker
    assert worker.latest(-1, timeout=2) is not None
    worker.set_privacy(True)
    assert wait_until(lambda: not camera.is_open and worker.state == "privacy")
    read_before = worker.frames_read
    time.sleep(0.3)
    assert worker.frames_read == read_before
    assert worker.latest(-1, timeout=0.2) is None
    worker.set_privacy(False)
    assert wait_until(lambda: camera.is_open and worker.frames_read > read_before)


def test_backoff_doubles_up_to_the_maximum() -> None:
    backoff = Backoff(1.0, 5.0, jitter=0)
    assert [backoff.next_delay() for _ in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    backoff.reset()
    assert backoff.next_delay() == 1.0


def test_replay_paces_images_at_their_rate(tmp_path: Path) -> None:
    for i in range(3):
        cv2.imwrite(str(tmp_path / f"{i}.png"), np.full((10, 10, 3), i, np.uint8))
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    source = ReplaySource(tmp_path, realtime=True, image_fps=4.0, clock=lambda: now[0], sleep=sleep)
    source.open()
    frames = [source.read() for _ in range(3)]
    assert source.read() is None
    assert [f.source_name for f in frames] == ["0.png", "1.png", "2.png"]
    assert [f.media_t for f in frames] == [0.0, 0.25, 0.5]
    assert slept == [0.25, 0.25]


def test_picamera_uses_the_lores_stream_on_older_pis() -> None:
    assert use_lores_stream("Raspberry Pi 4 Model B Rev 1.5")
    assert not use_lores_stream("Raspberry Pi 5 Model B Rev 1.0")
    assert not use_lores_stream("")
    fake = FakePicamera2()
    source = PiCameraSource(1280, 720, 15, factory=lambda: fake, pi_model="Raspberry Pi 4 Model B")
    source.open()
    assert fake.started and "lores" in fake.config
    assert fake.config["controls"] == {"FrameRate": 15}
    frame = source.read()
    assert frame.image.shape == (240, 320, 3)
    source.close()
    assert not fake.started
