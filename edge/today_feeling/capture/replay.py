"""Replaying recorded media as if it were a camera (demo, tests, benchmarks).

Accepts a video file, one image, or a folder of images read in sorted file-name order.
With ``realtime`` the frames are paced at the media's own rate so the daemon sees
what it would see live; without it they come as fast as they can be decoded. A skipped
frame keeps its place in time but is not decoded where that can be avoided: images are
not read, and a looped clip is decoded from memory after its first pass (clip_cache.py).
In real time it also behaves as a camera asked for a frame rate (``set_frame_rate``): a
recording faster than that is delivered every n-th frame, the others passed over at once
rather than each waited for, as a camera set to a lower rate never produces them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from today_feeling.capture.clip_cache import CLIP_BUDGET_BYTES, ClipCache
from today_feeling.capture.opencv_source import OpenCvSource
from today_feeling.errors import SourceError
from today_feeling.ports import Frame

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})


#: Stands for a frame that was passed over without decoding.
NOT_DECODED: npt.NDArray[np.uint8] = np.zeros((0, 0, 3), np.uint8)


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


class ReplaySource:
    """Frames from a file or folder, optionally paced and looped."""

    def __init__(self, path: Path, *, realtime: bool, loop: bool = False,
                 image_fps: float = 2.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 clip_budget_bytes: int = CLIP_BUDGET_BYTES) -> None:
        self.path = path
        self.name = str(path)
        self._realtime, self._loop, self._image_fps = realtime, loop, image_fps
        self._clock, self._sleep = clock, sleep
        self._images: list[Path] = []
        self._video: OpenCvSource | None = None
        self._clip: ClipCache | None = None
        self._clip_budget = clip_budget_bytes
        self._position = 0
        self._index = 0
        self._period = 0.0
        self._stride = 1
        """Frames advanced per delivered frame: the recording's rate over the rate asked for."""
        self._next_due: float | None = None

    def open(self) -> None:
        if self.path.is_dir():
            self._images = sorted(p for p in self.path.iterdir() if is_image(p))
            if not self._images:
                suffixes = ", ".join(sorted(IMAGE_SUFFIXES))
                raise SourceError(f"folder '{self.path}' holds no images ({suffixes})")
            self._period = 1.0 / self._image_fps
        elif self.path.is_file() and is_image(self.path):
            self._images = [self.path]
            self._period = 1.0 / self._image_fps
        elif self.path.is_file():
            self._video = OpenCvSource(str(self.path), 0, 0, 0, clock=self._clock)
            self._video.open()
            fps = self._video.native_fps
            self._period = 1.0 / fps if 0 < fps < 1000 else 1.0 / 25
            if self._loop and (self._clip is None or self._clip.filling):
                # a reopened first pass starts afresh
                self._clip = ClipCache(self.path.name, self._clip_budget)
        else:
            raise SourceError(f"replay source '{self.path}' does not exist")
        self._position, self._next_due, self._stride = 0, None, 1

    def read(self) -> Frame | None:
        if not self._pass_over():
            return None
        image, source_name = self._next(decode=True)
        if image is None:
            return None
        self._pace()
        frame = Frame(image=image, t=self._clock(), index=self._index, source_name=source_name,
                      media_t=self._index * self._period)
        self._index += 1
        return frame

    def skip(self) -> bool:
        if not self._pass_over():
            return False
        image, _ = self._next(decode=False)
        if image is None:
            return False
        self._pace()
        self._index += 1
        return True

    def set_frame_rate(self, fps: float) -> None:
        """In real time, deliver about ``fps`` frames/s (never more than the recording has);
        as fast as possible, every frame (an evaluation must see them all)."""
        if not self._realtime or fps <= 0 or self._period <= 0:
            self._stride = 1
            return
        self._stride = max(1, round(1.0 / (self._period * fps)))

    def _pass_over(self) -> bool:
        """The frames a camera at the asked-for rate would not have produced; False at the end."""
        for _ in range(self._stride - 1):
            image, _ = self._next(decode=False)
            if image is None:
                return False
            self._index += 1
        return True

    def _next(self, decode: bool) -> tuple[npt.NDArray[np.uint8] | None, str]:
        """The next frame (an empty array when not decoded), or None at the end."""
        if self._clip is not None and self._clip.ready:
            return self._from_clip(decode), self.path.name
        if self._video is not None:
            return self._from_video(decode), self.path.name
        return self._from_images(decode)

    def _from_clip(self, decode: bool) -> npt.NDArray[np.uint8]:
        assert self._clip is not None
        if self._position >= len(self._clip):
            if not self.path.is_file():  # as reopening would: a file that is gone ends the loop
                raise SourceError(f"replay source '{self.path}' is gone")
            self._position = 0
        self._position += 1
        return self._clip.decode(self._position - 1) if decode else NOT_DECODED

    def _from_video(self, decode: bool) -> npt.NDArray[np.uint8] | None:
        video, clip = self._video, self._clip
        assert video is not None
        filling = clip is not None and clip.filling
        if decode or filling:  # the first pass of a loop decodes everything, once
            frame = video.read()
            if frame is not None:
                if clip is not None:
                    clip.add(frame.image)
                return frame.image if decode else NOT_DECODED
        elif video.skip():
            return NOT_DECODED
        if not self._loop:
            return None
        video.close()
        if clip is not None and clip.finish():
            self._position = 0
            return self._from_clip(decode)
        video.open()
        if not decode:
            return NOT_DECODED if video.skip() else None
        again = video.read()
        return again.image if again is not None else None

    def _from_images(self, decode: bool) -> tuple[npt.NDArray[np.uint8] | None, str]:
        if self._position >= len(self._images):
            if not self._loop:
                return None, ""
            self._position = 0
        path = self._images[self._position]
        self._position += 1
        if not decode:
            return NOT_DECODED, path.name
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise SourceError(f"cannot decode image '{path}'")
        return np.asarray(image, dtype=np.uint8), path.name

    def _pace(self) -> None:
        if not self._realtime:
            return
        now = self._clock()
        if self._next_due is None:
            self._next_due = now
        delay = self._next_due - now
        if delay > 0:
            self._sleep(delay)
        # Schedule from the due time, not from now, so pacing does not drift.
        period = self._period * self._stride
        self._next_due = max(self._next_due + period, self._clock() - period)

    def close(self) -> None:
        if self._video is not None:
            self._video.close()
            self._video = None
