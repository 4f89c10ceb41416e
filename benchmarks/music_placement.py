"""Music placement on real recordings: the learned model vs the hand-made features, and cost.

    .venv/bin/python benchmarks/music_placement.py [--data ../shared/datasets/music_4q_dev] [--json]

For every recording of a 4Q-style folder (``labels.csv``: file, quadrant, artist) this runs
the product's own code on one core: the learned model's embedding (ffmpeg decode, numpy
log-mel, TFLite embedder) and the hand-made features (tempo, level, brightness, mode). It
reports, per method, quadrant accuracy, valence / arousal AUC, the share placed at arousal >= 0
and, per emotion, the share of the 20 tracks nearest its target that lie in its quadrant.

The learned rows are honest hold-outs: heads fitted with the shipped settings on 4/5 of the
artists place the other 1/5 (5 folds, 3 shuffles, averaged). The shipped head was fitted on all
of these recordings, so its own in-sample row is shown only as a check. The feature rows
need no fitting: "v1 mapping" is the one shipped before the learned model, "v2 mapping" the
re-centred fallback. Seconds per track are medians of the same run.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from models.music.head import out_of_fold_points
from models.music.placement_metrics import PlacementReport, placement_report
from models.music.train_head import read_labels, signs_of

from today_feeling.config.settings import ModelSettings
from today_feeling.inference.runtime import make_interpreter
from today_feeling.model_store.manifest import PACKAGED_MANIFEST, load_manifest
from today_feeling.music import analysis
from today_feeling.music.decode import decode_mono
from today_feeling.music.melspec import SAMPLE_RATE
from today_feeling.music.mood_model import MoodHead, MusicEmbedder

REPO = Path(__file__).resolve().parents[1]
SHUFFLES = 3


def measure(folder: Path, rows: list[dict[str, str]]) -> dict[str, np.ndarray]:
    """Embeddings, hand features and per-track seconds of every recording."""
    entries = load_manifest(PACKAGED_MANIFEST)
    models = ModelSettings()
    embedder_file = REPO / entries[models.music].source["path"]
    embedder = MusicEmbedder(make_interpreter(embedder_file, None, "cpu", 1))
    embeddings, features, learned_s, features_s = [], [], [], []
    for row in rows:
        path = folder / row["file"]
        started = time.perf_counter()
        embeddings.append(embedder.embed(decode_mono(path, SAMPLE_RATE)))
        learned_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        f = analysis.analyse_file(path, None, 45.0)
        features_s.append(time.perf_counter() - started)
        features.append([f.tempo_bpm, f.loudness_db, f.centroid_hz, f.mode])
    return {"embeddings": np.array(embeddings), "features": np.array(features),
            "learned_s": np.array(learned_s), "features_s": np.array(features_s)}


def v1_mapping(f: analysis.Features) -> tuple[float, float]:
    """The mapping shipped before the learned model (ANALYSIS_VERSION 1), kept here to compare."""
    tempo = float(np.clip((f.tempo_bpm - 110.0) / 50.0, -1, 1))
    loud = float(np.clip((f.loudness_db + 25.0) / 15.0, -1, 1))
    bright = float(np.clip(np.log2(max(f.centroid_hz, 1.0) / 1000.0) / 1.5, -1, 1))
    mode = float(np.clip(f.mode * 4.0, -1, 1))
    return (float(np.clip(0.60 * mode + 0.25 * tempo + 0.15 * bright, -1, 1)),
            float(np.clip(0.45 * tempo + 0.35 * loud + 0.20 * bright, -1, 1)))


def feature_points(features: np.ndarray, mapping: str) -> np.ndarray:
    place = v1_mapping if mapping == "v1" else analysis.to_valence_arousal
    return np.array([place(analysis.Features(*row)) for row in features])


def mean_report(reports: list[PlacementReport]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key in ("quadrant_accuracy", "valence_auc", "arousal_auc", "share_arousal_nonnegative",
                "nearest20_mean", "nearest20_min"):
        out[key] = round(float(np.mean([getattr(r, key) for r in reports])), 4)
    out["nearest20_in_quadrant"] = {
        e: round(float(np.mean([r.nearest20_in_quadrant[e] for r in reports])), 3)
        for e in reports[0].nearest20_in_quadrant}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared/datasets/music_4q_dev")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = read_labels(args.data)
    quadrants = np.array([r["quadrant"] for r in rows])
    artists = np.array([r["artist"] for r in rows])
    m = measure(args.data, rows)
    head_file = REPO / load_manifest(PACKAGED_MANIFEST)[ModelSettings().music_head].source["path"]
    head = MoodHead.read(head_file)
    held_out = [placement_report(out_of_fold_points(
        m["embeddings"], signs_of(quadrants), artists, l2=json.loads(head_file.read_text())["l2"],
        sharpness=head.sharpness, seed=seed), quadrants) for seed in range(SHUFFLES)]
    in_sample = np.array([head.point(e) for e in m["embeddings"]])
    result = {
        "tracks": len(rows), "artists": len(set(artists)),
        "learned, artist-held-out": mean_report(held_out),
        "learned, shipped head in-sample (check only)": mean_report([placement_report(in_sample, quadrants)]),
        "features, v1 mapping": mean_report([placement_report(feature_points(m["features"], "v1"),
                                                              quadrants)]),
        "features, v2 mapping": mean_report([placement_report(feature_points(m["features"], "v2"),
                                                              quadrants)]),
        "seconds_per_track_median": {"learned": round(float(np.median(m["learned_s"])), 3),
                                     "features": round(float(np.median(m["features_s"])), 3)},
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return
    for name, report in result.items():
        print(f"{name}: {report}")


if __name__ == "__main__":
    main()
