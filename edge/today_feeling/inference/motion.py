"""Has the picture changed since the last detector pass? What an empty room's detector waits for.

Nobody reaches the speaker without moving through the picture, so while nobody is in view a
frame that matches the one the detector last saw empty needs no detector: comparing two
thumbnails costs about a thirtieth of a full-range pass. The comparison is against that
last-checked frame, not the previous one, so a slow walk-in adds up until it is seen, and a
pass is forced every ``recheck_s`` whatever the picture does (someone the detector missed in a
hard pose is looked for again even if they hold still).
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

#: Thumbnail the frames are compared at: a person across a room still covers tens of cells,
#: and averaging ~100 sensor pixels per cell removes the camera's noise.
THUMB_SIZE = (64, 36)
#: A cell changed when its gray level moved by more than this (of 255).
CELL_THRESHOLD = 16
#: The picture changed when at least this share of the cells did (0.4 % = 9 cells).
CHANGED_SHARE = 0.004


def thumbnail(image_bgr: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Small, blurred gray copy of a frame: cheap to compare, blind to sensor noise."""
    # Bilinear to 4x the thumbnail, then area: each cell still averages ~64 frame pixels, at a
    # quarter of the cost of one area resize from a 960x540 frame (0.23 vs 0.80 ms).
    w, h = THUMB_SIZE
    halfway = cv2.resize(image_bgr, (4 * w, 4 * h), interpolation=cv2.INTER_LINEAR)
    small = cv2.resize(halfway, THUMB_SIZE, interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    return np.asarray(cv2.GaussianBlur(gray, (3, 3), 0), dtype=np.uint8)


def changed_share(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> float:
    """Share of thumbnail cells whose gray level differs by more than CELL_THRESHOLD."""
    return float(np.count_nonzero(cv2.absdiff(a, b) > CELL_THRESHOLD)) / a.size


class MotionGate:
    """Says whether an empty room's detector pass can be skipped for this frame."""

    def __init__(self, recheck_s: float) -> None:
        self._recheck_s = recheck_s
        self._reference: npt.NDArray[np.uint8] | None = None
        self._checked_at: float | None = None

    def forget(self) -> None:
        """Someone is in view (or the view was lost): the next empty frame is checked afresh."""
        self._reference, self._checked_at = None, None

    def still(self, image_bgr: npt.NDArray[np.uint8], t: float) -> bool:
        """True: same picture as the last checked one, recently; the caller skips the detector.

        False: the caller runs the detector, and this frame becomes the reference.
        """
        thumb = thumbnail(image_bgr)
        reference, checked_at = self._reference, self._checked_at
        fresh = checked_at is not None and checked_at <= t < checked_at + self._recheck_s
        if (reference is not None and fresh and reference.shape == thumb.shape
                and changed_share(reference, thumb) < CHANGED_SHARE):
            return True
        self._reference, self._checked_at = thumb, t
        return False
