"""Keeping the same listener across frames.

The primary face is the one the mood follows. Switching it whenever another face is a
few pixels larger would mix two people's expressions, so once chosen it is kept while
it is matched by IoU, and only a face clearly more prominent takes over.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from today_feeling.domain.analysis import Face
from today_feeling.inference.blazeface import iou

#: A new face must be this many times more prominent to take over the tracked one.
TAKEOVER_RATIO = 2.0


@dataclass
class _Track:
    track_id: int
    box: tuple[float, float, float, float]
    missed: int = 0


class FaceTracker:
    """Greedy IoU tracking plus sticky primary-face choice."""

    def __init__(self, iou_threshold: float = 0.3, max_missed: int = 5) -> None:
        self._iou_threshold = iou_threshold
        self._max_missed = max_missed
        self._tracks: list[_Track] = []
        self._next_id = 1
        self._primary_id: int | None = None

    def update(self, faces: list[Face], frame_w: int, frame_h: int) -> tuple[list[Face], Face | None]:
        """Assign track ids and pick the primary face for this frame."""
        tracked = self._assign_ids(faces)
        primary = self._choose_primary(tracked, frame_w, frame_h)
        self._primary_id = primary.track_id if primary else None
        return tracked, primary

    def _assign_ids(self, faces: list[Face]) -> list[Face]:
        unmatched = list(self._tracks)
        result = []
        for face in sorted(faces, key=lambda f: -f.score):
            match = self._best_match(face, unmatched)
            if match is None:
                match = _Track(self._next_id, face.box)
                self._next_id += 1
                self._tracks.append(match)
            else:
                unmatched.remove(match)
            match.box, match.missed = face.box, 0
            result.append(replace(face, track_id=match.track_id))
        for track in unmatched:
            track.missed += 1
        self._tracks = [t for t in self._tracks if t.missed <= self._max_missed]
        return result

    def _best_match(self, face: Face, candidates: list[_Track]) -> _Track | None:
        if not candidates:
            return None
        boxes = np.array([t.box for t in candidates], dtype=np.float32)
        overlaps = iou(np.array(face.box, dtype=np.float32), boxes)
        best = int(np.argmax(overlaps))
        return candidates[best] if overlaps[best] >= self._iou_threshold else None

    def _choose_primary(self, faces: list[Face], frame_w: int, frame_h: int) -> Face | None:
        if not faces:
            return None
        ranked = sorted(faces, key=lambda f: -prominence(f, frame_w, frame_h))
        best = ranked[0]
        current = next((f for f in faces if f.track_id == self._primary_id), None)
        if current is None or current is best:
            return best
        ratio = prominence(best, frame_w, frame_h) / max(prominence(current, frame_w, frame_h), 1e-9)
        return best if ratio >= TAKEOVER_RATIO else current


def prominence(face: Face, frame_w: int, frame_h: int) -> float:
    """Face area weighted by closeness to the frame centre (1 at centre, 0.5 at a corner)."""
    cx = (face.box[0] + face.box[2]) / 2 / max(frame_w, 1)
    cy = (face.box[1] + face.box[3]) / 2 / max(frame_h, 1)
    off_centre = min(1.0, ((cx - 0.5) ** 2 + (cy - 0.5) ** 2) ** 0.5 / 0.7071)
    area = max(face.width, 0.0) * max(face.box[3] - face.box[1], 0.0)
    return float(area * (1.0 - 0.5 * off_centre))
