"""Eye alignment: the eyes land on the template whatever the head roll (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from today_feeling.inference.align import EYE_DISTANCE, EYE_MID, alignment_matrix


@pytest.mark.parametrize("roll_deg", [0.0, 25.0, -40.0])
def test_alignment_puts_the_eyes_on_the_template(roll_deg: float) -> None:
    size = 64
    centre, half = np.array([300.0, 200.0]), 40.0
    angle = np.radians(roll_deg)
    offset = half * np.array([np.cos(angle), np.sin(angle)])
    right_eye, left_eye = centre - offset, centre + offset
    matrix = alignment_matrix(tuple(right_eye), tuple(left_eye), size)
    mapped = [matrix @ np.array([*p, 1.0]) for p in (right_eye, left_eye)]
    expected_mid = np.array(EYE_MID) * size
    assert np.allclose((mapped[0] + mapped[1]) / 2, expected_mid, atol=1e-6)
    assert np.linalg.norm(mapped[1] - mapped[0]) == pytest.approx(EYE_DISTANCE * size)
    assert mapped[0][1] == pytest.approx(mapped[1][1])  # eyes level after alignment
