"""A profile applied to a classifier, for the CLI (enroll, eval-emotion --profile).

The daemon applies profiles inside the recogniser (profiles/runtime.py); offline tools need
the same two checks — the model has an embedding, the profile was made with this model — and
the same calibrated output, so both live here once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from today_feeling.domain.emotions import EMOTIONS
from today_feeling.domain.personal import PersonalAdapter
from today_feeling.errors import ProfileError
from today_feeling.profiles.profile import Profile
from today_feeling.profiles.store import ProfileStore

if TYPE_CHECKING:
    from today_feeling.inference.emotion import EmotionClassifier


def require_embedding(key: str, centre: npt.NDArray[np.float32] | None) -> npt.NDArray[np.float32]:
    if centre is None:
        raise ProfileError(f"emotion model {key} has no embedding output: profiles need "
                           "emotion_today_feeling_v5 (models.emotion) or a model built like it")
    return centre


def load_usable(store: ProfileStore, name: str, key: str, sha256: str,
                centre: npt.NDArray[np.float32] | None) -> Profile:
    """The profile, checked to be usable with this model (ProfileError says why not)."""
    require_embedding(key, centre)
    profile = store.load(name)
    profile.check_model(key, sha256)
    return profile


class CalibratedClassifier:
    """An EmotionClassifier seen through one person's adapter (labels: the six EMOTIONS)."""

    def __init__(self, classifier: EmotionClassifier, adapter: PersonalAdapter) -> None:
        self._classifier, self._adapter = classifier, adapter

    @property
    def labels(self) -> tuple[str, ...]:
        return EMOTIONS

    def raw_probs(self, crop_gray: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        probs, embedding = self._classifier.classify_with_embedding(crop_gray)
        if embedding is None:
            raise ProfileError(f"{self._classifier.name} returned no embedding")
        return self._adapter.apply(probs, embedding)
