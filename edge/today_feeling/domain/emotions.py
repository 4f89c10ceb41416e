"""The product's emotion classes and how the FER2013 protocol maps onto them."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

#: The product's six classes (the original project's), in the order of every probability vector.
EMOTIONS: tuple[str, ...] = ("anger", "fear", "happiness", "sadness", "surprise", "neutral")

#: Names people give playlists and tags, mapped to the product's emotion names.
EMOTION_ALIASES: dict[str, str] = {
    "angry": "anger", "scared": "fear", "afraid": "fear", "happy": "happiness", "joy": "happiness",
    "sad": "sadness", "surprised": "surprise", "calm": "neutral",
}


def canonical_emotion(name: str) -> str | None:
    """The product emotion a user-facing name means, or None when it is not one."""
    key = name.strip().lower()
    key = EMOTION_ALIASES.get(key, key)
    return key if key in EMOTIONS else None


#: FER2013 label ids 0..6; models trained on the 7-class protocol output in this order.
FER2013_CLASSES: tuple[str, ...] = (
    "anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral",
)

#: FER2013 id -> product class index; disgust is merged into anger (as in the original project).
FER_TO_PRODUCT: tuple[int, ...] = (0, 0, 1, 2, 3, 4, 5)


def to_product_probs(probs: npt.NDArray[np.float32], labels: Sequence[str]) -> npt.NDArray[np.float32]:
    """Map a model's probability vector over ``labels`` onto :data:`EMOTIONS`.

    Classes outside the product set (e.g. disgust) are summed into the class they merge with,
    so the result still sums to the model's total probability mass.
    """
    out = np.zeros(len(EMOTIONS), dtype=np.float32)
    for p, label in zip(probs, labels, strict=True):
        target = "anger" if label == "disgust" else label
        if target in EMOTIONS:
            out[EMOTIONS.index(target)] += p
    return out


def fer_labels_to_product(y: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
    """FER2013 ids (0..6) to product indices; other ids become -1 (ignored by evaluation)."""
    table = np.full(256, -1, dtype=np.int64)
    table[: len(FER_TO_PRODUCT)] = FER_TO_PRODUCT
    return np.asarray(table[np.asarray(y, dtype=np.int64).clip(0, 255)], dtype=np.int64)


#: Label id for a face with no known class (a photo folder without class subfolders).
UNLABELLED = 255

#: Class-folder names beyond EMOTION_ALIASES, mapped to FER2013 class names: common dataset
#: spellings, and the Korean folders of AIHub's Korean emotion dataset (the original project's).
FOLDER_ALIASES: dict[str, str] = {
    "disgusted": "disgust", "fearful": "fear",
    "기쁨": "happiness", "분노": "anger", "슬픔": "sadness", "중립": "neutral", "불안": "fear",
    "당황": "surprise",  # embarrassment: none of the six; surprise is the nearest (a judgement)
    "상처": "sadness",  # hurt
}


def fer_id_for_folder(name: str) -> int | None:
    """The FER2013 id a class-folder name stands for, or None when it names no class.

    NFC first: macOS hands out Korean names decomposed (NFD), which match nothing otherwise.
    """
    key = unicodedata.normalize("NFC", name).strip().lower()
    key = FOLDER_ALIASES.get(key, EMOTION_ALIASES.get(key, key))
    return FER2013_CLASSES.index(key) if key in FER2013_CLASSES else None
