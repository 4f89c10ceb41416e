"""Fit the mood head on labelled recordings, choosing its settings by artist-grouped CV.

    python -m models.music.train_head ../shared/datasets/music_4q_dev \\
        --embedder models/music/musicnn_msd_float.tflite --out models/music/music_mood_head_4q.json

The folder holds audio and a ``labels.csv`` with ``file``, ``quadrant`` (Q1..Q4) and ``artist``
columns (the 4Q dataset's layout). Embeddings come from the product's own path (ffmpeg decode,
numpy log-mel, the TFLite embedder, PATCHES_PER_TRACK patches) and are cached in ``--cache``.

Selection, on out-of-fold predictions only (5 folds grouped by artist, 3 shuffles): among the
grid of L2 strengths and sharpness exponents, keep those within one point of the best quadrant
accuracy whose 20th-nearest track to every emotion's target lies within 0.5 (a library of this
size then has 20 tracks fitting every mood); of those, the best mean share of the 20 nearest
tracks in the emotion's quadrant. The head is then fitted on every track.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from models.music.head import fit_head, out_of_fold_points
from models.music.placement_metrics import PlacementReport, placement_report

from today_feeling.inference.runtime import make_interpreter
from today_feeling.music.decode import decode_mono
from today_feeling.music.melspec import SAMPLE_RATE
from today_feeling.music.mood_model import PATCHES_PER_TRACK, MusicEmbedder
from today_feeling.music.space import EMOTION_POINTS

logger = logging.getLogger(__name__)

L2_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
SHARPNESS_GRID = (1.0, 1.5, 2.0, 3.0)
SHUFFLES = 3
REACH = 0.5


def read_labels(folder: Path) -> list[dict[str, str]]:
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def signs_of(quadrants: np.ndarray) -> np.ndarray:
    """(n, 2) +-1 valence and arousal of Russell quadrants."""
    valence = np.where(np.isin(quadrants, ["Q1", "Q4"]), 1.0, -1.0)
    arousal = np.where(np.isin(quadrants, ["Q1", "Q2"]), 1.0, -1.0)
    return np.stack([valence, arousal], axis=1)


def embeddings(folder: Path, rows: list[dict[str, str]], embedder_path: Path,
               cache: Path | None) -> np.ndarray:
    digest = hashlib.sha256(embedder_path.read_bytes()).hexdigest()[:16]
    cached = cache / f"embeddings_{digest}_{PATCHES_PER_TRACK}.npz" if cache else None
    if cached is not None and cached.is_file():
        data = np.load(cached)
        if list(data["files"]) == [r["file"] for r in rows]:
            return np.asarray(data["embeddings"])
    embedder = MusicEmbedder(make_interpreter(embedder_path, None, "cpu", 1))
    out = np.stack([embedder.embed(decode_mono(folder / r["file"], SAMPLE_RATE)) for r in rows])
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cached, embeddings=out, files=np.array([r["file"] for r in rows]))
    return out


@dataclass(frozen=True)
class GridPoint:
    """Out-of-fold figures of one (l2, sharpness), averaged over the shuffles."""

    l2: float
    sharpness: float
    quadrant_accuracy: float
    valence_auc: float
    arousal_auc: float
    share_arousal_nonnegative: float
    nearest20_mean: float
    nearest20_min: float
    nearest20_in_quadrant: dict[str, float]
    reach: float
    """The largest, over emotions, distance from a target to its 20th-nearest track."""


def _reach(points: np.ndarray) -> float:
    return max(float(np.sort(np.hypot(*(points - np.array(t)).T))[19]) for t in EMOTION_POINTS.values())


def cross_validate(x: np.ndarray, quadrants: np.ndarray, artists: np.ndarray) -> list[GridPoint]:
    """Mean out-of-fold figures for every grid point."""
    signs = signs_of(quadrants)
    results = []
    for l2, sharpness in itertools.product(L2_GRID, SHARPNESS_GRID):
        folds = [out_of_fold_points(x, signs, artists, l2=l2, sharpness=sharpness, seed=seed)
                 for seed in range(SHUFFLES)]
        reports = [placement_report(points, quadrants) for points in folds]

        def mean(key: str, reports: list[PlacementReport] = reports) -> float:
            return float(np.mean([getattr(r, key) for r in reports]))

        results.append(GridPoint(
            l2, sharpness, mean("quadrant_accuracy"), mean("valence_auc"), mean("arousal_auc"),
            mean("share_arousal_nonnegative"), mean("nearest20_mean"), mean("nearest20_min"),
            {e: float(np.mean([r.nearest20_in_quadrant[e] for r in reports])) for e in EMOTION_POINTS},
            float(np.mean([_reach(points) for points in folds])),
        ))
    return results


def choose(results: list[GridPoint]) -> GridPoint:
    best_accuracy = max(r.quadrant_accuracy for r in results)
    eligible = [r for r in results if r.quadrant_accuracy >= best_accuracy - 0.01 and r.reach <= REACH]
    return max(eligible or results, key=lambda r: r.nearest20_mean)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--embedder", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="head JSON to write")
    parser.add_argument("--metrics", type=Path, default=None, help="CV report JSON (default beside --out)")
    parser.add_argument("--cache", type=Path, default=None, help="folder for cached embeddings")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = read_labels(args.folder)
    quadrants = np.array([r["quadrant"] for r in rows])
    artists = np.array([r["artist"] for r in rows])
    x = embeddings(args.folder, rows, args.embedder, args.cache)
    results = cross_validate(x, quadrants, artists)
    chosen = choose(results)
    logger.info("chosen: %s", chosen)
    head = fit_head(x, signs_of(quadrants), chosen.l2, chosen.sharpness)
    data = head.to_json()
    data["l2"] = chosen.l2
    data["embedder_sha256"] = hashlib.sha256(args.embedder.read_bytes()).hexdigest()
    data["trained_on"] = (f"{len(rows)} labelled recordings in {args.folder.name} "
                          f"(Russell quadrants), {len(set(artists))} artists")
    data["licence"] = ("Weights fitted here on copyrighted 4Q previews (Panda et al. 2018, research "
                       "use): numbers derived from them, not the recordings; see models/music/README.md")
    args.out.write_text(json.dumps(data) + "\n", encoding="utf-8")
    metrics = args.metrics or args.out.with_name(args.out.stem + "_cv.json")
    report = {"chosen": asdict(chosen), "grid": [asdict(r) for r in results],
              "patches_per_track": PATCHES_PER_TRACK, "tracks": len(rows)}
    metrics.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
