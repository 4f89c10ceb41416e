"""Drawing boxes, keypoints and labels for a person to look at (detect --annotate, debug)."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from today_feeling.domain.analysis import FrameAnalysis

PRIMARY_COLOUR = (80, 220, 80)
OTHER_COLOUR = (200, 200, 200)


def annotate(image: npt.NDArray[np.uint8], analysis: FrameAnalysis,
             mood: str | None = None) -> npt.NDArray[np.uint8]:
    """A copy of ``image`` with each face's box, keypoints, emotion and score drawn on it."""
    out = image.copy()
    thickness = max(1, round(max(image.shape[:2]) / 400))
    for face in analysis.faces:
        primary = analysis.primary is not None and face.track_id == analysis.primary.track_id
        colour = PRIMARY_COLOUR if primary else OTHER_COLOUR
        x0, y0, x1, y1 = (round(v) for v in face.box)
        cv2.rectangle(out, (x0, y0), (x1, y1), colour, thickness)
        for x, y in face.keypoints:
            cv2.circle(out, (round(x), round(y)), thickness + 1, (0, 160, 255), -1)
        if face.probs is not None:
            label = f"{face.emotion} {max(face.probs):.2f}"
            cv2.putText(out, label, (x0, max(12, y0 - 6)), cv2.FONT_HERSHEY_SIMPLEX,
                        0.5 * thickness, colour, thickness, cv2.LINE_AA)
    if mood:
        cv2.putText(out, f"mood: {mood}", (8, out.shape[0] - 10), cv2.FONT_HERSHEY_SIMPLEX,
                    0.6 * thickness, (255, 255, 255), thickness, cv2.LINE_AA)
    return out
