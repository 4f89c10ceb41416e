"""Primary-face tracking: a sticky listener and track ids that follow moving faces."""

from __future__ import annotations

from today_feeling.domain.analysis import Face
from today_feeling.inference.tracker import FaceTracker


def _face(x: float, y: float, w: float) -> Face:
    return Face((x, y, x + w, y + w), 0.9, ((x, y),) * 6)


def test_primary_face_is_sticky_until_clearly_outshone() -> None:
    tracker = FaceTracker()
    _, primary = tracker.update([_face(100, 100, 100), _face(400, 100, 90)], 640, 480)
    first_id = primary.track_id
    # A slightly bigger face elsewhere does not steal the listener...
    for _ in range(3):
        _, primary = tracker.update([_face(102, 100, 100), _face(400, 100, 110)], 640, 480)
        assert primary.track_id == first_id
    # ...a much more prominent one does.
    _, primary = tracker.update([_face(104, 100, 100), _face(300, 150, 220)], 640, 480)
    assert primary.track_id != first_id


def test_track_ids_follow_moving_faces() -> None:
    tracker = FaceTracker()
    faces, _ = tracker.update([_face(100, 100, 100)], 640, 480)
    ids = {faces[0].track_id}
    for step in range(1, 10):
        faces, _ = tracker.update([_face(100 + 8 * step, 100, 100)], 640, 480)
        ids.add(faces[0].track_id)
    assert len(ids) == 1
