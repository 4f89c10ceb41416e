"""Model-card figures, measured through the daemon's own classifier (product venv, no TensorFlow).

    /work/venv/bin/python -m models.training.measure --key emotion_today_feeling_v1 \
        --float models/emotion/today_feeling_emotion_v1_float.tflite --out models/emotion/metrics_v1.json

Measures on FER2013 PublicTest (all, and de-duplicated against Training): 7- and 6-class
accuracy, with and without horizontal-flip TTA, ECE, int8-vs-float agreement, one-thread CPU
latency, and the fer baseline on the same faces in the same run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from today_feeling.evaluation import metrics, predict
from today_feeling.inference.emotion import EmotionClassifier
from today_feeling.inference.runtime import make_interpreter
from today_feeling.model_store.manifest import PACKAGED_MANIFEST, ModelEntry, load_manifest

logger = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[2]
SUBSET = 600  # first N PublicTest faces: the fixed subset the tests re-check


def classifier(entry: ModelEntry, path: Path, threads: int = 1) -> EmotionClassifier:
    return EmotionClassifier(make_interpreter(path, None, "cpu", threads), entry)


def latency_ms(clf: EmotionClassifier, faces: np.ndarray, n: int = 400) -> dict[str, float]:
    """Per-face time of raw_probs (resize + quantize + invoke), after a warm-up."""
    for f in faces[:20]:
        clf.raw_probs(f)
    times = []
    for f in faces[:n]:
        t = time.perf_counter()
        clf.raw_probs(f)
        times.append((time.perf_counter() - t) * 1000)
    return {
        "median_ms": round(float(np.median(times)), 3),
        "p90_ms": round(float(np.percentile(times, 90)), 3),
    }


def paired_comparison(ours: np.ndarray, base: np.ndarray, y: np.ndarray) -> dict[str, float | int]:
    """McNemar's exact test on the same faces: is the accuracy gap more than chance?"""
    ours_right, base_right = ours.argmax(1) == y, base.argmax(1) == y
    b, c = int((ours_right & ~base_right).sum()), int((~ours_right & base_right).sum())
    n, k = b + c, min(b, c)
    p = min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2**n) if n else 1.0
    return {"ours_only_right": b, "baseline_only_right": c, "mcnemar_exact_p": round(p, 5)}


def summarise(raw: np.ndarray, labels: tuple[str, ...], y: np.ndarray, dedup: np.ndarray) -> dict[str, Any]:
    full = metrics(raw, labels, y)
    uniq = metrics(raw[~dedup], labels, y[~dedup])
    return {
        "all": full,
        "dedup": {k: uniq[k] for k in ("n", "accuracy_6", "accuracy_7", "ece_6", "ece_7") if k in uniq},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--key", required=True)
    p.add_argument("--float", type=Path, default=None, help="float reference .tflite")
    p.add_argument("--data", type=Path, default=REPO.parent / "shared/datasets/fer2013_train_public.npz")
    p.add_argument("--baseline", default="emotion_fer_minixception")
    p.add_argument("--models-dir", type=Path, default=Path("~/.cache/today-feeling/models").expanduser())
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    manifest = load_manifest(PACKAGED_MANIFEST)
    with np.load(args.data) as d:
        x, y, x_train = d["x_public"], d["y_public"].astype(np.int64), d["x_train"]
    seen = {img.tobytes() for img in x_train}
    dedup = np.array([img.tobytes() in seen for img in x])
    entry = manifest[args.key]
    ours = classifier(entry, REPO / entry.source["path"])
    raw = predict(ours, x)
    raw_flip = predict(ours, x[:, :, ::-1].copy())
    out: dict[str, Any] = {"n_public": len(y), "n_duplicates": int(dedup.sum()), "model": args.key}
    out["int8"] = summarise(raw, entry.labels, y, dedup)
    out["int8_flip_tta"] = summarise((raw + raw_flip) / 2, entry.labels, y, dedup)
    out["int8_subset_first_600"] = metrics(raw[:SUBSET], entry.labels, y[:SUBSET])
    out["int8_latency_1thread"] = latency_ms(ours, x)
    if args.float is not None:
        fentry = dataclasses.replace(entry, input_dtype="float32", file=args.float.name)
        fraw = predict(classifier(fentry, args.float), x)
        out["float"] = summarise(fraw, entry.labels, y, dedup)
        out["int8_float_agreement"] = round(float((fraw.argmax(1) == raw.argmax(1)).mean()), 4)
    base = manifest[args.baseline]
    bclf = classifier(base, args.models_dir / base.file)
    braw = predict(bclf, x)
    out["baseline"] = {
        "key": args.baseline,
        **summarise(braw, base.labels, y, dedup),
        "latency_1thread": latency_ms(bclf, x),
    }
    out["paired_7class_vs_baseline"] = paired_comparison(raw, braw, y)
    braw_flip = predict(bclf, x[:, :, ::-1].copy())
    out["baseline_flip_tta"] = summarise((braw + braw_flip) / 2, base.labels, y, dedup)
    out["paired_7class_flip_tta_vs_baseline_flip_tta"] = paired_comparison(
        (raw + raw_flip) / 2, (braw + braw_flip) / 2, y
    )
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
