"""Dataset loaders: the FER2013 npz from ../shared and folder-per-class image trees.

Why both: we publish figures on FER2013 (the literature's protocol), but users who own a
differently licensed set laid out as one folder per class (like the AIHub set the original
project used) must be able to retrain with the same pipeline.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

FER2013_CLASSES = ("anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral")
PRODUCT_CLASSES = ("anger", "fear", "happiness", "sadness", "surprise", "neutral")
# FER2013 id -> product id (disgust merges into anger).
FER_TO_PRODUCT = np.array([0, 0, 1, 2, 3, 4, 5], dtype=np.int64)
# Folder names accepted for each FER2013 class (folder-per-class datasets; lower-case).
FOLDER_ALIASES = {
    "anger": 0,
    "angry": 0,
    "disgust": 1,
    "disgusted": 1,
    "fear": 2,
    "fearful": 2,
    "afraid": 2,
    "happiness": 3,
    "happy": 3,
    "joy": 3,
    "sadness": 4,
    "sad": 4,
    "surprise": 5,
    "surprised": 5,
    "neutral": 6,
    "calm": 6,
}


@dataclass(frozen=True)
class Split:
    """Face crops (N, H, W) uint8 with FER2013 ids and optional FER+ vote distributions."""

    x: np.ndarray
    y: np.ndarray
    soft: np.ndarray | None = None


def ferplus_soft_labels(votes: np.ndarray) -> np.ndarray:
    """FER+ votes (neutral, happiness, surprise, sadness, anger, disgust, fear, ...) -> FER2013 order.

    Rows without any vote on the seven classes become uniform (no information).
    """
    order = [4, 5, 6, 1, 3, 2, 0]  # FER2013 id k takes FER+ column order[k]
    v = votes[:, order].astype(np.float32)
    total = v.sum(axis=1, keepdims=True)
    uniform = np.full_like(v, 1.0 / 7)
    return np.where(total > 0, v / np.maximum(total, 1), uniform)


def load_fer2013(path: str | Path) -> tuple[Split, Split]:
    """Return (Training, PublicTest) from the shared npz."""
    with np.load(path) as d:
        train = Split(
            d["x_train"], d["y_train"].astype(np.int64), ferplus_soft_labels(d["ferplus_votes_train"])
        )
        public = Split(
            d["x_public"], d["y_public"].astype(np.int64), ferplus_soft_labels(d["ferplus_votes_public"])
        )
    logger.info("fer2013 train=%d public=%d", len(train.y), len(public.y))
    return train, public


def load_folder_per_class(root: str | Path, size: int = 48) -> Split:
    """Load ``root/<class>/*.{png,jpg,...}`` as gray crops resized to size x size.

    Images are assumed to be face crops already framed like FER2013 (run them through the
    runtime aligner first if they are full photos). Unknown folder names are skipped.
    """
    import cv2  # training extra only

    xs: list[np.ndarray] = []
    ys: list[int] = []
    for sub in sorted(p for p in Path(root).iterdir() if p.is_dir()):
        label = FOLDER_ALIASES.get(sub.name.lower())
        if label is None:
            logger.warning("skipping folder %s: not a known class name", sub)
            continue
        for f in sorted(sub.iterdir()):
            img = cv2.imread(str(f), cv2.IMREAD_GRAYSCALE)
            if img is None:
                continue
            xs.append(cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA))
            ys.append(label)
    if not xs:
        raise ValueError(f"no images found under {root}")
    logger.info("folder dataset %s: %d images", root, len(xs))
    return Split(np.stack(xs), np.asarray(ys, dtype=np.int64))


def resize_split(split: Split, size: int) -> Split:
    """Area-resize every crop to size x size (the runtime resizes its aligned crop the same way)."""
    if split.x.shape[1] == size and split.x.shape[2] == size:
        return split
    import cv2  # training extra only

    x = np.stack([cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA) for img in split.x])
    return Split(x, split.y, split.soft)


def stratified_holdout(y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, holdout) with the same class mix; the holdout fits the temperature."""
    rng = np.random.default_rng(seed)
    hold: list[np.ndarray] = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        hold.append(idx[: round(len(idx) * fraction)])
    h = np.sort(np.concatenate(hold))
    mask = np.ones(len(y), dtype=bool)
    mask[h] = False
    return np.flatnonzero(mask), h


def run_holdout(y: np.ndarray, run_args: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The (train, holdout) split a run trained with, from its args.json.

    Why a separate hold-out seed: runs that differ only in their training seed (for a diverse
    ensemble) must keep the same hold-out, or one run's hold-out faces are another's training.
    """
    seed = run_args.get("holdout_seed")
    return stratified_holdout(y, float(run_args["holdout"]), int(run_args["seed"] if seed is None else seed))


def duplicate_mask(x_test: np.ndarray, x_train: np.ndarray) -> np.ndarray:
    """True where a test image is byte-identical to some training image (FER2013's known leak)."""
    seen = {bytes(img.tobytes()) for img in x_train}
    return np.array([img.tobytes() in seen for img in x_test], dtype=bool)
