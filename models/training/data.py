"""Dataset loaders: the FER2013 npz from ../shared and folder-per-class image trees.

Why both: we publish figures on FER2013 (the literature's protocol), but users who own a
differently licensed set laid out as one folder per class (like the AIHub set the original
project used) must be able to retrain with the same pipeline.
"""

from __future__ import annotations

import logging
import unicodedata
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
    "scared": 2,
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
# The AIHub Korean facial-emotion set (the original project's data) names its seven class folders
# in Korean. Six map one to one; 당황 and 상처 have no FER2013 class and are judgement calls:
# 당황 (embarrassment, being flustered) -> surprise, the nearest of the six in arousal and in its
# open-eyed face; 상처 (hurt) -> sadness. Documented in models/emotion/README.md.
AIHUB_FOLDERS = {
    "기쁨": ("joy", 3),
    "분노": ("anger", 0),
    "슬픔": ("sadness", 4),
    "중립": ("neutral", 6),
    "불안": ("anxiety", 2),
    "당황": ("embarrassment", 5),
    "상처": ("hurt", 4),
}
FOLDER_ALIASES.update(
    {unicodedata.normalize("NFC", name): label for name, (_, label) in AIHUB_FOLDERS.items()}
)
UNLABELLED = 255  # y of a face that `today-feeling faces crop` cropped but nobody labelled


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


def folder_label(name: str) -> int | None:
    """FER2013 id of a class folder name, or None; NFC-normalised (macOS writes NFD) and lower-cased."""
    return FOLDER_ALIASES.get(unicodedata.normalize("NFC", name).strip().lower())


def load_folder_per_class(root: str | Path, size: int = 48) -> Split:
    """Load ``root/<class>/*.{png,jpg,...}`` as gray crops resized to size x size.

    Images are assumed to be face crops already framed like FER2013 (run them through the
    runtime aligner first if they are full photos). Unknown folder names are skipped; several
    folders may map to one class (AIHub's 슬픔 and 상처 both become sadness). Like `faces crop`,
    a class folder is read recursively (sets nest people or sessions inside a class) and hidden
    files (macOS's ``._name.jpg``) are skipped.
    """
    import cv2  # training extra only

    xs: list[np.ndarray] = []
    ys: list[int] = []
    for sub in sorted(p for p in Path(root).iterdir() if p.is_dir()):
        label = folder_label(sub.name)
        if label is None:
            logger.warning("skipping folder %s: not a known class name", sub)
            continue
        for f in sorted(sub.rglob("*")):
            hidden = any(part.startswith(".") for part in f.relative_to(sub).parts)
            img = None if hidden or not f.is_file() else cv2.imread(str(f), cv2.IMREAD_GRAYSCALE)
            if img is None:
                continue
            xs.append(cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA))
            ys.append(label)
    if not xs:
        raise ValueError(f"no images found under {root}")
    logger.info("folder dataset %s: %d images", root, len(xs))
    return Split(np.stack(xs), np.asarray(ys, dtype=np.int64))


def load_crops_npz(path: str | Path, size: int = 48) -> Split:
    """Load ``x`` (N, H, W[, 3]) uint8 crops and ``y`` FER2013 ids (`today-feeling faces crop`).

    Faces with y = 255 (cropped, not yet labelled) or any other id outside 0..6 are dropped.
    """
    import cv2  # training extra only

    with np.load(path) as d:
        if "x" not in d or "y" not in d:
            raise ValueError(f"{path} has no arrays 'x' and 'y' (found: {', '.join(d.files)})")
        x, y = np.asarray(d["x"]), np.asarray(d["y"]).astype(np.int64)
    if x.ndim == 4 and x.shape[3] == 3:
        x = np.stack([cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) for img in x])
    if x.ndim != 3 or x.dtype != np.uint8 or len(x) != len(y):
        raise ValueError(
            f"{path}: expected x (N, H, W[, 3]) uint8 and y (N,), got x {x.shape} {x.dtype}, y {y.shape}"
        )
    keep = (y >= 0) & (y < len(FER2013_CLASSES))
    if not keep.all():
        logger.info(
            "%s: dropping %d unlabelled faces (y=%d) and %d with other ids",
            path, int((y == UNLABELLED).sum()), UNLABELLED, int((~keep & (y != UNLABELLED)).sum()),
        )  # fmt: skip
    if not keep.any():
        raise ValueError(f"no labelled faces in {path}")
    x, y = x[keep], y[keep]
    if x.shape[1:] != (size, size):
        x = np.stack([cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA) for img in x])
    logger.info("crops npz %s: %d labelled faces", path, len(y))
    return Split(x, y)


def load_own_data(path: str | Path, size: int = 48) -> Split:
    """A user's data for ``--folder``: a folder-per-class tree, or a crops ``.npz``."""
    p = Path(path)
    if p.is_file() and p.suffix.lower() == ".npz":
        return load_crops_npz(p, size)
    if not p.is_dir():
        raise ValueError(f"{path}: neither a folder of class folders nor an .npz of face crops")
    return load_folder_per_class(p, size)


def load_training_data(data: str | Path, folder: str | Path | None) -> tuple[Split, Split | None]:
    """(training faces, PublicTest or None): the user's ``folder`` if given, else the FER2013 npz.

    Why one function: train, swa, fold_qat and export must read the same faces in the same order,
    or the hold-out indices a run saved point at other faces.
    """
    if folder:
        return load_own_data(folder), None
    return load_fer2013(data)


def run_data_folder(cli_folder: str | None, run_args: Mapping[str, Any]) -> str | None:
    """The user data a later step reads: its own ``--folder``, else the one the run trained on."""
    return cli_folder or run_args.get("folder") or None


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


def checked_run_holdout(
    run: str | Path, y: np.ndarray, run_args: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`run_holdout`, refused when it differs from the RUN/holdout_idx.npy train.py saved.

    Why: a later step given other data than the run trained on (another folder, the FER2013
    default for a folder run) would fit the temperature on faces the model trained on.
    """
    tr, ho = run_holdout(y, run_args)
    saved = Path(run) / "holdout_idx.npy"
    if saved.is_file() and not np.array_equal(np.load(saved), ho):
        raise ValueError(
            f"the data given ({len(y)} faces) is not what {run} trained on: its hold-out differs from "
            f"{saved}; pass the run's own --data/--folder"
        )
    return tr, ho


def duplicate_mask(x_test: np.ndarray, x_train: np.ndarray) -> np.ndarray:
    """True where a test image is byte-identical to some training image (FER2013's known leak)."""
    seen = {bytes(img.tobytes()) for img in x_train}
    return np.array([img.tobytes() in seen for img in x_test], dtype=bool)
