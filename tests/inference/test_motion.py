"""The motion gate on a real indoor photo with camera noise: still when nothing happens, awake
as soon as someone walks in (even far away, even slowly), and never asleep for long."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from today_feeling.inference.motion import MotionGate

data = pytest.importorskip("skimage.data")

Image = npt.NDArray[np.uint8]


@pytest.fixture(scope="module")
def room() -> Image:
    """Middlebury's motorcycle in a garage (skimage), framed like a 640x360 camera."""
    return np.asarray(cv2.resize(cv2.cvtColor(data.stereo_motorcycle()[0], cv2.COLOR_RGB2BGR),
                                 (640, 360)), dtype=np.uint8)


@pytest.fixture(scope="module")
def person() -> Image:
    """The astronaut photo's head and shoulders: a real person's colours and texture."""
    return np.asarray(cv2.cvtColor(data.astronaut()[0:400, 80:380], cv2.COLOR_RGB2BGR), dtype=np.uint8)


def camera(room: Image, rng: np.random.Generator) -> Image:
    """One frame of a fixed camera: sensor noise (sigma 3 levels) and auto-exposure wobble (2 %)."""
    gain = 1.0 + rng.uniform(-0.02, 0.02)
    noisy = room.astype(np.float32) * gain + rng.normal(0, 3.0, room.shape)
    return np.asarray(np.clip(noisy, 0, 255), dtype=np.uint8)


def with_person(frame: Image, person: Image, x: int, width: int) -> Image:
    """``person`` scaled to ``width`` pixels, standing with its left edge at ``x``."""
    height = round(person.shape[0] * width / person.shape[1])
    small = cv2.resize(person, (width, height), interpolation=cv2.INTER_AREA)
    out = frame.copy()
    top = frame.shape[0] - height - 40
    visible = min(width, frame.shape[1] - x)
    out[top:top + height, x:x + visible] = small[:, :visible]
    return out


def test_a_still_noisy_room_keeps_the_detector_asleep_between_rechecks(room: Image) -> None:
    rng = np.random.default_rng(7)
    gate = MotionGate(recheck_s=10.0)
    skipped = [gate.still(camera(room, rng), float(t)) for t in range(31)]
    # the first frame and one every 10 s are checked; the 27 others are skipped
    assert [t for t, still in enumerate(skipped) if not still] == [0, 10, 20, 30]


# (width of head and shoulders, how much of it is inside the frame): 40 px is a face of ~16 px,
# too small for any of the detectors, so the gate wakes before a face could be found.
@pytest.mark.parametrize(("width", "inside"), [(40, 1.0), (60, 0.5), (160, 0.25)])
def test_someone_walking_in_wakes_it_at_any_distance(room: Image, person: Image, width: int,
                                                     inside: float) -> None:
    rng = np.random.default_rng(width)
    gate = MotionGate(recheck_s=60.0)
    assert not gate.still(camera(room, rng), 0.0)
    assert gate.still(camera(room, rng), 1.0)
    entering = with_person(camera(room, rng), person, 640 - round(width * inside), width)
    assert not gate.still(entering, 2.0)


def test_a_slow_walk_in_adds_up_against_the_last_checked_frame(room: Image, person: Image) -> None:
    """Each step is small against the one before, but not against what the detector last saw."""
    rng = np.random.default_rng(3)
    gate = MotionGate(recheck_s=60.0)
    assert not gate.still(camera(room, rng), 0.0)
    woke = [t for t in range(1, 30)
            if not gate.still(with_person(camera(room, rng), person, 640 - t, 60), float(t))]
    assert woke, "a person sliding into view one pixel per frame was never noticed"
    assert woke[0] <= 10


def test_a_source_that_restarts_its_clock_is_checked_at_once(room: Image) -> None:
    rng = np.random.default_rng(1)
    gate = MotionGate(recheck_s=10.0)
    assert not gate.still(camera(room, rng), 5.0)
    assert gate.still(camera(room, rng), 6.0)
    assert not gate.still(camera(room, rng), 0.5)  # a looped video began again


def test_forget_makes_the_next_frame_a_new_reference(room: Image) -> None:
    rng = np.random.default_rng(2)
    gate = MotionGate(recheck_s=10.0)
    assert not gate.still(camera(room, rng), 0.0)
    gate.forget()
    assert not gate.still(camera(room, rng), 1.0)
    assert gate.still(camera(room, rng), 2.0)
