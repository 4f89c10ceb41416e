"""The per-person adapter: pulls toward a person's own expressions, leaves the rest alone."""

from __future__ import annotations

import numpy as np
import pytest

from today_feeling.domain.emotions import EMOTIONS
from today_feeling.domain.personal import PersonalAdapter

DIM = 16
RNG = np.random.default_rng(18)
CENTRE = np.full(DIM, 0.5, dtype=np.float32)
#: One direction per expression: this person's "anger" etc. in embedding space.
DIRECTIONS = np.eye(len(EMOTIONS), DIM, dtype=np.float32)


def faces_of(emotion: int, n: int) -> np.ndarray:
    noise = RNG.normal(0, 0.05, size=(n, DIM)).astype(np.float32)
    return CENTRE + DIRECTIONS[emotion] + noise


def test_a_person_s_own_anger_wins_over_the_model_s_guess() -> None:
    labels = np.repeat(np.arange(len(EMOTIONS)), 3)
    embeddings = np.concatenate([faces_of(e, 3) for e in range(len(EMOTIONS))])
    adapter = PersonalAdapter.fit(embeddings, labels, CENTRE)
    model_says_neutral = np.array([0.25, 0.05, 0.05, 0.05, 0.05, 0.55], dtype=np.float32)
    calibrated = adapter.apply(model_says_neutral, faces_of(EMOTIONS.index("anger"), 1)[0])
    assert EMOTIONS[int(calibrated.argmax())] == "anger"
    assert calibrated.sum() == pytest.approx(1.0, abs=1e-5)


def test_an_expression_never_enrolled_is_neither_pushed_nor_pulled() -> None:
    # enrolled: happiness and sadness only; the face is unlike both
    labels = np.array([2, 2, 3, 3])
    embeddings = np.concatenate([faces_of(2, 2), faces_of(3, 2)])
    adapter = PersonalAdapter.fit(embeddings, labels, CENTRE)
    base = np.array([0.4, 0.1, 0.2, 0.1, 0.1, 0.1], dtype=np.float32)
    calibrated = adapter.apply(base, faces_of(EMOTIONS.index("surprise"), 1)[0])
    unenrolled = [0, 1, 4, 5]
    # among the classes it knows nothing about, the model's own ranking and ratios survive
    ratio_before = base[unenrolled] / base[unenrolled].sum()
    ratio_after = calibrated[unenrolled] / calibrated[unenrolled].sum()
    np.testing.assert_allclose(ratio_after, ratio_before, rtol=1e-5)
    assert EMOTIONS[int(calibrated.argmax())] == "anger"


def test_labels_out_of_range_or_empty_are_refused() -> None:
    with pytest.raises(ValueError, match=r"0\.\.5"):
        PersonalAdapter.fit(faces_of(0, 2), np.array([0, 6]), CENTRE)
    with pytest.raises(ValueError, match="n >= 1"):
        PersonalAdapter.fit(np.zeros((0, DIM), np.float32), np.array([], dtype=np.int64), CENTRE)
