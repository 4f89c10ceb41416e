"""A looped clip kept in memory as JPEG, so later loops decode only the frames analysed.

A video file is inter-coded: skipping a frame still means decoding it, which made a
replayed empty room cost as much as a full one. The demo, the tests and the benchmarks
loop short clips, so the first pass encodes every frame once (in memory, never on disk)
and every later pass is random access: a skipped frame costs nothing, as a camera's
``grab()`` does. A clip too long for the budget is replayed by decoding, as before.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

#: Memory for one clip's JPEG frames: about 80 s of 640x360 video.
CLIP_BUDGET_BYTES = 64 * 1024 * 1024
#: Close to lossless for detection and emotion, about 30 KB per 640x360 frame.
JPEG_QUALITY = 95


class ClipCache:
    """Frames of one loop, filled on the first pass; ``ready`` once the clip has ended."""

    def __init__(self, name: str, budget_bytes: int = CLIP_BUDGET_BYTES) -> None:
        self._name = name
        self._budget = budget_bytes
        self._frames: list[bytes] = []
        self._bytes = 0
        self.filling = True
        self.ready = False

    def add(self, image: npt.NDArray[np.uint8]) -> None:
        """Keep one decoded frame of the first pass (dropped all at once past the budget)."""
        if not self.filling:
            return
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            self._give_up("a frame could not be encoded")
            return
        self._frames.append(encoded.tobytes())
        self._bytes += len(self._frames[-1])
        if self._bytes > self._budget:
            self._give_up(f"longer than the {self._budget // (1024 * 1024)} MB replay budget")

    def finish(self) -> bool:
        """The first pass ended: from now on frames come from memory. False if not kept."""
        if self.filling and self._frames:
            self.filling, self.ready = False, True
            logger.info("%s: %d frames kept in memory (%.1f MB); later loops decode only "
                        "the frames analysed", self._name, len(self._frames), self._bytes / 1e6)
        return self.ready

    def __len__(self) -> int:
        return len(self._frames)

    def decode(self, position: int) -> npt.NDArray[np.uint8]:
        image = cv2.imdecode(np.frombuffer(self._frames[position], np.uint8), cv2.IMREAD_COLOR)
        return np.asarray(image, dtype=np.uint8)

    def _give_up(self, why: str) -> None:
        logger.info("%s: replayed by decoding every frame (%s)", self._name, why)
        self._frames.clear()
        self._bytes = 0
        self.filling = False

