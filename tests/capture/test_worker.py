"""Capture worker: newest-frame mailbox, reopen with backoff, privacy closes the camera."""

from __future__ import annotations

import time

import pytest

from tests.fakes.camera import FlakyCamera
from tests.support.wait import wait_for
from today_feeling.backoff import Backoff
from today_feeling.capture.worker import CaptureWorker


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
    wait_for(lambda: worker.state == "retrying", 5.0, "the worker retrying", poll_s=0.01)
    time.sleep(0.3)
    camera.present.set()
    wait_for(lambda: worker.state == "streaming", 5.0, "the worker streaming again", poll_s=0.01)
    assert camera.opens >= 2
    assert worker.latest(-1, timeout=2) is not None
    assert states[:3] == ["streaming", "retrying", "streaming"]


def test_privacy_closes_the_camera_until_turned_off(camera_worker) -> None:
    camera, worker, _ = camera_worker
    assert worker.latest(-1, timeout=2) is not None
    worker.set_privacy(True)
    wait_for(lambda: not camera.is_open and worker.state == "privacy", 5.0,
             "the camera closed for privacy", poll_s=0.01)
    read_before = worker.frames_read
    time.sleep(0.3)
    assert worker.frames_read == read_before
    assert worker.latest(-1, timeout=0.2) is None
    worker.set_privacy(False)
    wait_for(lambda: camera.is_open and worker.frames_read > read_before, 5.0,
             "the camera reopened and reading", poll_s=0.01)
