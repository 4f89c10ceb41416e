"""USB/V4L2 cameras, RTSP/HTTP streams and video files through OpenCV."""

from __future__ import annotations

import logging
import time
from typing import Any

import cv2
import numpy as np

from today_feeling.errors import SourceError
from today_feeling.ports import Frame

logger = logging.getLogger(__name__)


def describe_failure(spec: str) -> str:
    """What to check when ``spec`` cannot be opened, by kind of source."""
    if spec.isdigit() or spec.startswith("/dev/video"):
        return ("is the camera plugged in and is this user in the 'video' group? "
                "List cameras with 'v4l2-ctl --list-devices'")
    if "://" in spec:
        return "is the stream URL right and the camera reachable from this device?"
    return "does the file exist and is it a video OpenCV can decode?"


class OpenCvSource:
    """A ``cv2.VideoCapture`` with a 1-frame buffer so frames are never stale."""

    def __init__(self, spec: str, width: int, height: int, fps: float,
                 clock: Any = time.monotonic) -> None:
        self.spec = spec
        self.name = spec
        self._width, self._height, self._fps = width, height, fps
        self._clock = clock
        self._capture: cv2.VideoCapture | None = None
        self._index = 0
        self._rate_refused = False

    def open(self) -> None:
        target: int | str = int(self.spec) if self.spec.isdigit() else self.spec
        capture = cv2.VideoCapture(target)
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"cannot open video source '{self.spec}': {describe_failure(self.spec)}")
        if self._is_camera():
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._height)
            capture.set(cv2.CAP_PROP_FPS, self._fps)
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._capture = capture
        logger.info("opened %s (%dx%d)", self.spec, int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
                    int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))

    def _is_camera(self) -> bool:
        return self.spec.isdigit() or self.spec.startswith("/dev/")

    def read(self) -> Frame | None:
        if self._capture is None:
            raise SourceError(f"source '{self.spec}' is not open")
        ok, image = self._capture.read()
        if not ok or image is None:
            if self._is_camera() or "://" in self.spec:
                raise SourceError(f"source '{self.spec}' stopped delivering frames")
            return None  # end of a video file
        frame = Frame(image=np.asarray(image, dtype=np.uint8), t=self._clock(), index=self._index,
                      source_name=self.name)
        self._index += 1
        return frame

    def skip(self) -> bool:
        """``grab()`` without ``retrieve()``: the buffer is dequeued but not converted."""
        if self._capture is None:
            raise SourceError(f"source '{self.spec}' is not open")
        if self._capture.grab():
            self._index += 1
            return True
        if self._is_camera() or "://" in self.spec:
            raise SourceError(f"source '{self.spec}' stopped delivering frames")
        return False

    def set_frame_rate(self, fps: float) -> None:
        """V4L2 cameras that offer the rate switch to it; streams and files keep theirs."""
        if self._capture is None or not self._is_camera():
            return
        if not self._capture.set(cv2.CAP_PROP_FPS, fps) and not self._rate_refused:
            self._rate_refused = True  # said once: most UVC drivers refuse while streaming
            logger.info("%s keeps its frame rate (%.1f frames/s refused while streaming); skipped "
                        "frames are grabbed, not decoded", self.spec, fps)

    @property
    def native_fps(self) -> float:
        """The file's or camera's frame rate as reported by OpenCV (0 when unknown)."""
        return float(self._capture.get(cv2.CAP_PROP_FPS)) if self._capture else 0.0

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
