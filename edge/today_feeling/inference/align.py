"""Eye-based face alignment into the framing the emotion models were trained on.

FER2013 crops (48x48) frame the face from brow to chin. Running BlazeFace on 1,453 of
the FER2013 training faces (upscaled and padded) put the median eye midpoint at
(0.501, 0.392) of the crop and the median eye distance at 0.365 of its width; a
similarity transform that puts the detected eyes there gives the classifier the faces
it was trained on, whatever the head roll or distance.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

#: Eye midpoint in the crop, as fractions of width and height (measured on FER2013).
EYE_MID = (0.501, 0.392)
#: Distance between the eyes as a fraction of the crop width (measured on FER2013).
EYE_DISTANCE = 0.365


def alignment_matrix(
    right_eye: tuple[float, float], left_eye: tuple[float, float], size: int
) -> npt.NDArray[np.float64]:
    """2x3 affine matrix taking frame pixels to a ``size`` x ``size`` aligned crop.

    ``right_eye`` is the subject's right eye (left in the image), BlazeFace keypoint 0.
    """
    dx, dy = left_eye[0] - right_eye[0], left_eye[1] - right_eye[1]
    distance = max(math.hypot(dx, dy), 1e-6)
    scale = EYE_DISTANCE * size / distance
    angle = math.atan2(dy, dx)
    cos, sin = scale * math.cos(-angle), scale * math.sin(-angle)
    mid_x = (right_eye[0] + left_eye[0]) / 2
    mid_y = (right_eye[1] + left_eye[1]) / 2
    # Rotate+scale about the eye midpoint, then move it to its place in the crop.
    tx = EYE_MID[0] * size - (cos * mid_x - sin * mid_y)
    ty = EYE_MID[1] * size - (sin * mid_x + cos * mid_y)
    return np.array([[cos, -sin, tx], [sin, cos, ty]], dtype=np.float64)


def align_face(
    image_bgr: npt.NDArray[np.uint8],
    right_eye: tuple[float, float],
    left_eye: tuple[float, float],
    size: int,
) -> npt.NDArray[np.uint8]:
    """Aligned grayscale crop (size x size); only the crop is converted to gray (cheap)."""
    matrix = alignment_matrix(right_eye, left_eye, size)
    crop = cv2.warpAffine(image_bgr, matrix, (size, size), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)
    if crop.ndim == 3:
        crop = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    return np.asarray(crop, dtype=np.uint8)
