"""DEBUG ONLY: writing annotated frames to disk, when the user turned it on.

Frames never leave the device and are never written unless privacy.debug_save_frames
is true; then at most one frame per second is kept, for a person to inspect.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2

from today_feeling.domain.analysis import FrameAnalysis
from today_feeling.inference.annotate import annotate
from today_feeling.ports import Frame

MIN_INTERVAL_S = 1.0


class DebugFrameWriter:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._last = 0.0

    def __call__(self, frame: Frame, analysis: FrameAnalysis) -> None:
        now = time.monotonic()
        if now - self._last < MIN_INTERVAL_S:
            return
        self._last = now
        self.directory.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(self.directory / f"frame-{frame.index:08d}.jpg"),
                    annotate(frame.image, analysis))
