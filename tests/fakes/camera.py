"""Stand-ins for camera hardware that cannot exist on a test machine."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from today_feeling.errors import SourceError
from today_feeling.ports import Frame, FrameSource


class FlakyCamera(FrameSource):
    """A FrameSource whose failures the test scripts: unplug, replug, count opens.

    Declared against the port, so ``tests/test_quality.py``'s mypy run fails if it drifts."""

    name = "flaky-camera"

    def __init__(self) -> None:
        self.present = threading.Event()
        self.present.set()
        self.opens = 0
        self.is_open = False
        self._index = 0
        self.decoded = 0
        self.rates: list[float] = []

    def open(self) -> None:
        if not self.present.is_set():
            raise SourceError("camera not present")
        self.opens += 1
        self.is_open = True

    def read(self) -> Frame | None:
        if not self.present.is_set():
            raise SourceError("camera unplugged")
        self.present.wait(0.01)
        self._index += 1
        self.decoded += 1
        return Frame(np.zeros((48, 64, 3), np.uint8), float(self._index), self._index)

    def skip(self) -> bool:
        if not self.present.is_set():
            raise SourceError("camera unplugged")
        self.present.wait(0.01)
        self._index += 1
        return True

    def set_frame_rate(self, fps: float) -> None:
        self.rates.append(fps)

    def close(self) -> None:
        self.is_open = False


class _FakeRequest:
    """A completed libcamera request: the buffer returns to the camera on ``release``."""

    def __init__(self) -> None:
        self.released = False

    def release(self) -> None:
        self.released = True


class FakePicamera2:
    """Mimics the few Picamera2 calls PiCameraSource makes, recording the configuration."""

    def __init__(self) -> None:
        self.config: dict[str, Any] = {}
        self.started = False
        self.requests: list[_FakeRequest] = []
        self.controls: list[dict[str, Any]] = []

    def create_video_configuration(self, **kwargs: Any) -> dict[str, Any]:
        return kwargs

    def configure(self, config: dict[str, Any]) -> None:
        self.config = config

    def start(self) -> None:
        self.started = True

    def capture_array(self, stream: str) -> np.ndarray:
        if stream == "lores":
            w, h = self.config["lores"]["size"]
            return np.full((h * 3 // 2, w), 128, np.uint8)  # YUV420: luma then chroma rows
        w, h = self.config["main"]["size"]
        return np.zeros((h, w, 3), np.uint8)

    def capture_request(self) -> _FakeRequest:
        request = _FakeRequest()
        self.requests.append(request)
        return request

    def set_controls(self, controls: dict[str, Any]) -> None:
        self.controls.append(controls)

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        pass
