"""Is this face good enough to learn from? One face, large, frontal, sharp.

Why gates: an enrolment sample is kept for months and pulls every later prediction toward
it; a blurred or turned face would teach the adapter the wrong thing. Each gate returns the
sentence a person needs to fix it.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from today_feeling.domain.analysis import Face

#: Nose tip off the eyes' midpoint by more than this share of the eye distance = turned away.
MAX_YAW_RATIO = 0.35
#: Eyes' height difference over their distance above this = head tilted a lot.
MAX_ROLL_RATIO = 0.35
#: Variance of the Laplacian of the 48 px aligned crop below this = blurred or very dark.
MIN_SHARPNESS = 20.0

NO_FACE = "no face seen: is someone in front of the camera (and privacy mode off)?"
MANY_FACES = "more than one face in view: only the person enrolling, please"
TOO_SMALL = "face too small: come closer to the camera"
NOT_FRONTAL = "face turned away: look straight at the camera"
BLURRED = "image blurred or too dark: hold still, add light"


def sharpness(crop: npt.NDArray[np.uint8]) -> float:
    return float(cv2.Laplacian(crop, cv2.CV_64F).var())


def rejection(face: Face, faces_in_view: int, crop: npt.NDArray[np.uint8], min_face_px: int) -> str | None:
    """Why ``face`` must not be learned from, or None when it passes every gate."""
    if faces_in_view > 1:
        return MANY_FACES
    if face.width < min_face_px:
        return TOO_SMALL
    (rx, ry), (lx, ly), (nx, _ny) = face.keypoints[0], face.keypoints[1], face.keypoints[2]
    eye_distance = float(np.hypot(lx - rx, ly - ry))
    if eye_distance <= 1.0:
        return NOT_FRONTAL
    yaw = abs(nx - (rx + lx) / 2) / eye_distance
    roll = abs(ly - ry) / eye_distance
    if yaw > MAX_YAW_RATIO or roll > MAX_ROLL_RATIO:
        return NOT_FRONTAL
    if sharpness(crop) < MIN_SHARPNESS:
        return BLURRED
    return None
