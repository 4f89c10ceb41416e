"""One frame in, faces with emotions and the primary face out.

Owns the detector choice: an ambient speaker sees people across a room, and the
short-range BlazeFace (1.2 ms) misses many faces narrower than 80 px that the
full-range model (3.9 ms) finds. In ``auto`` mode the short-range model runs while
the listener is near; when it finds nothing, or the tracked face is small, the
full-range model runs, and it keeps running while the face stays small or nobody is
there (someone walking in is found by it at any size, so an empty room pays one pass
per frame, not two). The tiled
search for the tiniest faces costs grid^2 full-range runs, so in an empty room it is
repeated only every ``tile_search_interval_s`` of frame time, and while nobody is in view
the detector runs only when the picture has changed (inference/motion.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import numpy as np
import numpy.typing as npt

from today_feeling.config.settings import DetectionSettings
from today_feeling.domain.analysis import Face, FrameAnalysis
from today_feeling.inference.align import align_face
from today_feeling.inference.emotion import EmotionClassifier
from today_feeling.inference.face_detector import Detection, FaceDetector
from today_feeling.inference.motion import MotionGate
from today_feeling.inference.tiling import detect_tiled
from today_feeling.inference.tracker import FaceTracker

#: Leave full-range mode only when the face is this much wider than the switch size.
SWITCH_BACK_MARGIN = 1.25
#: The motion gate waits this long after the last face: a listener sitting still whom one pass
#: missed (a hand, a turned head) must not be left undetected until the gate's recheck.
GATE_AFTER_FACE_S = 5.0

FloatArray = npt.NDArray[np.float32]


class FaceCalibrator(Protocol):
    """Per-person calibration (profiles/runtime.py): sees embeddings, which never leave here."""

    def calibrate(self, probs: FloatArray, embedding: FloatArray, *, primary: bool) -> FloatArray: ...

    def observe(self, face: Face, faces_in_view: int, crop: npt.NDArray[np.uint8],
                embedding: FloatArray) -> None: ...


class Recognizer:
    """Detect, track, align and classify faces in one frame."""

    def __init__(
        self,
        short: FaceDetector | None,
        full: FaceDetector | None,
        classifier: EmotionClassifier,
        settings: DetectionSettings,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if short is None and full is None:
            raise ValueError("at least one face detector is needed")
        self._short, self._full = short, full
        self._classifier = classifier
        self._settings = settings
        self._tracker = FaceTracker()
        self._clock = clock
        self._prefer_full = short is None
        self._prefer_tiles = False
        self._last_tile_search: float | None = None
        self._gate = MotionGate(settings.motion_recheck_s) if settings.motion_gate else None
        self._last_face_t: float | None = None
        self.calibrator: FaceCalibrator | None = None
        """Set by the composition root when profiles are in use; None = the model's own output."""

    def analyse(self, image_bgr: npt.NDArray[np.uint8], index: int, t: float) -> FrameAnalysis:
        stage_ms: dict[str, float] = {}
        start = self._clock()
        if self._room_empty(t) and self._gate is not None and self._gate.still(image_bgr, t):
            detections: list[Detection] = []
            detector = "still"
        else:
            detections, detector = self._detect(image_bgr, t)
        after_detect = self._clock()
        stage_ms["detect"] = (after_detect - start) * 1000
        faces = [Face(d.box, d.score, d.keypoints) for d in detections]
        h, w = image_bgr.shape[:2]
        faces, primary = self._tracker.update(faces, w, h)
        faces = sorted(faces, key=lambda f: -f.width)[: self._settings.max_faces]
        classified, align_ms, classify_ms = self._classify(image_bgr, faces, primary)
        stage_ms["align"], stage_ms["classify"] = align_ms, classify_ms
        primary_out = next((f for f in classified if primary and f.track_id == primary.track_id),
                           None)
        self._update_detector_choice(primary_out)
        if classified:
            self._last_face_t = t
            if self._gate is not None:
                self._gate.forget()
        return FrameAnalysis(index=index, t=t, faces=tuple(classified), primary=primary_out,
                             stage_ms=stage_ms, detector=detector)

    def _room_empty(self, t: float) -> bool:
        """No face for GATE_AFTER_FACE_S of frame time (or ever; a restarted source counts)."""
        last = self._last_face_t
        return last is None or not last <= t < last + GATE_AFTER_FACE_S

    def _detect(self, image: npt.NDArray[np.uint8], t: float) -> tuple[list[Detection], str]:
        """Cheapest pass first; larger models only when the cheaper one sees no near face.

        The label names every pass that ran ("short+full": the short pass found no near face).
        """
        before = ""
        if not self._prefer_full and not self._prefer_tiles and self._short is not None:
            found = self._short.detect(image)
            # Short-range results are trusted only for near faces: when it sees nothing,
            # or only small faces (its boxes are loose there), the full-range model decides.
            if self._full is None or self._widest(found) >= self._near_px():
                return found, "short"
            before = "short+"
        if self._full is None:
            return [], "short"
        if not self._prefer_tiles:
            found = self._full.detect(image)
            if found or self._settings.tile_grid < 2 or not self._tile_search_due(t):
                return found, before + "full"
        if self._settings.tile_grid < 2:
            return self._full.detect(image), before + "full"
        return detect_tiled(self._full, image, self._settings.tile_grid,
                            self._settings.nms_iou), before + "tiled"

    def _tile_search_due(self, t: float) -> bool:
        """Rate-limit the search for a listener nobody has found yet (frame time ``t``)."""
        last = self._last_tile_search
        if last is not None and last <= t < last + self._settings.tile_search_interval_s:
            return False  # (t < last: the source restarted, e.g. a looped video)
        self._last_tile_search = t
        return True

    @staticmethod
    def _widest(found: list[Detection]) -> float:
        return max((d.box[2] - d.box[0] for d in found), default=0.0)

    def _near_px(self) -> float:
        return self._settings.small_face_px * SWITCH_BACK_MARGIN

    def _update_detector_choice(self, primary: Face | None) -> None:
        """Stay on the pass that found the listener while they stay that small."""
        if self._short is None or self._full is None:
            return
        width = primary.width if primary is not None else None
        tiny = self._settings.tile_grid >= 2 and width is not None and width < self._settings.tiny_face_px
        self._prefer_tiles = tiny
        if width is None or width < self._settings.small_face_px:
            self._prefer_full = True
        elif width >= self._near_px():
            self._prefer_full = False

    def _classify(self, image: npt.NDArray[np.uint8], faces: list[Face],
                  primary: Face | None) -> tuple[list[Face], float, float]:
        align_s = classify_s = 0.0
        out = []
        calibrator = self.calibrator
        for face in faces:
            t0 = self._clock()
            crop = align_face(image, face.keypoints[0], face.keypoints[1],
                              self._classifier.crop_size)
            t1 = self._clock()
            probs, embedding = self._classifier.classify_with_embedding(crop)
            if calibrator is not None and embedding is not None:
                is_primary = primary is not None and face.track_id == primary.track_id
                probs = calibrator.calibrate(probs, embedding, primary=is_primary)
                if is_primary:
                    calibrator.observe(face, len(faces), crop, embedding)
            t2 = self._clock()
            align_s, classify_s = align_s + t1 - t0, classify_s + t2 - t1
            out.append(Face(face.box, face.score, face.keypoints, face.track_id,
                            tuple(float(p) for p in probs)))
        return out, align_s * 1000, classify_s * 1000
