"""The training pipeline's data loaders (numpy + OpenCV only, so they run in CI without TensorFlow).

Why test them here: a wrong FER+ column order or a folder alias that maps to the wrong class
would train a model that looks fine on its own loss and is quietly wrong for users who retrain.
"""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import pytest
from models.training.data import (
    FER2013_CLASSES,
    FER_TO_PRODUCT,
    PRODUCT_CLASSES,
    duplicate_mask,
    ferplus_soft_labels,
    load_fer2013,
    load_folder_per_class,
    stratified_holdout,
)

from today_feeling.domain import emotions

# FER+ vote columns, as ../shared/README.md lists them (then contempt, unknown, not-a-face).
FERPLUS_EMOTION_COLUMNS = ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear")
FERPLUS_COLUMN = {name: i for i, name in enumerate(FERPLUS_EMOTION_COLUMNS)}


def test_class_tables_match_the_runtime() -> None:
    """Training and the daemon must agree on class order, or every prediction is mislabelled."""
    assert FER2013_CLASSES == emotions.FER2013_CLASSES
    assert PRODUCT_CLASSES == emotions.EMOTIONS
    assert tuple(FER_TO_PRODUCT.tolist()) == emotions.FER_TO_PRODUCT


@pytest.mark.parametrize("name", FER2013_CLASSES)
def test_ferplus_votes_land_on_the_same_class(name: str) -> None:
    votes = np.zeros((1, 10), dtype=np.uint8)
    votes[0, FERPLUS_COLUMN[name]] = 8
    soft = ferplus_soft_labels(votes)
    assert soft.shape == (1, 7)
    assert FER2013_CLASSES[int(soft[0].argmax())] == name
    assert soft[0].max() == pytest.approx(1.0)


def test_ferplus_votes_are_normalised_and_non_emotion_votes_carry_no_information() -> None:
    votes = np.zeros((2, 10), dtype=np.uint8)
    votes[0, [FERPLUS_COLUMN["happiness"], FERPLUS_COLUMN["surprise"]]] = (6, 2)
    votes[0, 7:] = 2  # contempt / unknown / not-a-face are not FER2013 classes
    votes[1, 7:] = (3, 4, 3)
    soft = ferplus_soft_labels(votes)
    assert soft[0, FER2013_CLASSES.index("happiness")] == pytest.approx(0.75)
    assert soft[0, FER2013_CLASSES.index("surprise")] == pytest.approx(0.25)
    np.testing.assert_allclose(soft[1], np.full(7, 1 / 7), rtol=1e-6)


def _write_face(path: Path, value: int, shape: tuple[int, int]) -> None:
    img = np.full(shape, value, dtype=np.uint8)
    cv2.rectangle(img, (2, 2), (shape[1] // 2, shape[0] // 2), 255 - value, -1)
    assert cv2.imwrite(str(path), img)


def test_folder_per_class_reads_aliases_resizes_and_skips_what_it_cannot_use(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An AIHub-style tree: mixed-case aliases, odd sizes, a stray file and an unknown folder."""
    (tmp_path / "Happy").mkdir()
    (tmp_path / "angry").mkdir()
    (tmp_path / "SURPRISED").mkdir()
    (tmp_path / "contempt").mkdir()
    _write_face(tmp_path / "Happy" / "a.png", 40, (96, 80))
    _write_face(tmp_path / "Happy" / "b.jpg", 90, (48, 48))
    _write_face(tmp_path / "angry" / "c.png", 150, (120, 120))
    _write_face(tmp_path / "SURPRISED" / "d.bmp", 200, (30, 30))
    _write_face(tmp_path / "contempt" / "e.png", 10, (48, 48))
    (tmp_path / "angry" / "notes.txt").write_text("not an image")

    with caplog.at_level(logging.WARNING):
        split = load_folder_per_class(tmp_path, size=40)

    assert split.x.shape == (4, 40, 40)
    assert split.x.dtype == np.uint8
    names = [FER2013_CLASSES[i] for i in split.y]
    # Folders in name order (upper case sorts first), files in name order within each.
    assert names == ["happiness", "happiness", "surprise", "anger"]
    assert any("contempt" in r.getMessage() for r in caplog.records)
    # Pixels survive the trip (a loader that returned blanks would still have the right shape).
    assert split.x[0].mean() < split.x[1].mean() < split.x[3].mean() < split.x[2].mean()


def test_folder_per_class_without_images_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "sad").mkdir()
    with pytest.raises(ValueError, match="no images"):
        load_folder_per_class(tmp_path)


def test_holdout_keeps_the_class_mix_is_disjoint_and_seeded() -> None:
    y = np.repeat(np.arange(7), [400, 40, 400, 700, 480, 300, 500])
    train, hold = stratified_holdout(y, 0.1, seed=7)
    assert np.intersect1d(train, hold).size == 0
    assert train.size + hold.size == y.size
    np.testing.assert_array_equal(np.bincount(y[hold], minlength=7), [40, 4, 40, 70, 48, 30, 50])
    again = stratified_holdout(y, 0.1, seed=7)[1]
    other = stratified_holdout(y, 0.1, seed=8)[1]
    np.testing.assert_array_equal(hold, again)
    assert not np.array_equal(hold, other)


def test_duplicate_mask_finds_byte_identical_faces_only() -> None:
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, (50, 48, 48), dtype=np.uint8)
    test = rng.integers(0, 256, (6, 48, 48), dtype=np.uint8)
    test[1] = train[17]
    test[4] = train[3]
    test[5] = train[3]
    test[5, 0, 0] ^= 1  # one bit off: not a duplicate
    np.testing.assert_array_equal(duplicate_mask(test, train), [False, True, False, False, True, False])


@pytest.mark.needs_shared
def test_fer2013_loader_on_the_shared_set(fer2013_npz: Path) -> None:
    """Official split sizes, soft labels agreeing with FER+'s own majority, the known 280 leaks."""
    train, public = load_fer2013(fer2013_npz)
    assert train.x.shape == (28709, 48, 48) and public.x.shape == (3589, 48, 48)
    assert np.bincount(train.y, minlength=7).tolist() == [3995, 436, 4097, 7215, 4830, 3171, 4965]
    assert train.soft is not None
    np.testing.assert_allclose(train.soft.sum(axis=1), 1.0, rtol=1e-5)
    with np.load(fer2013_npz) as raw:
        majority = raw["ferplus_majority_train"]
    valid = majority < 7
    assert (train.soft[valid].argmax(axis=1) == majority[valid]).mean() > 0.99
    assert int(duplicate_mask(public.x, train.x).sum()) == 280
