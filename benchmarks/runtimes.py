"""LiteRT against ONNX Runtime (CPU provider) on one core: per model and for the whole pipeline.

    PYTHONPATH=edge .venv/bin/python benchmarks/runtimes.py [--json]

Per model: median and p95 ms per invocation over 300 invocations on real inputs (letterboxed
frames of WolfgangLanger_Pexels.mp4 for the detectors, its aligned face crops for the emotion
model), the two runtimes interleaved call by call. Whole pipeline: ``Recognizer.analyse`` per
frame over the video (default config: auto detector, mirror-averaged emotion), interleaved
frame by frame; ``agree`` = frames where both found the same number of faces and the same
primary emotion.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from today_feeling.capture.replay import ReplaySource
from today_feeling.config.settings import Settings
from today_feeling.inference.build import build_recognizer
from today_feeling.model_store.registry import user_models_dir
from today_feeling_dev.samples import sample_path


def settings(models_dir: Path, runtime: str) -> Settings:
    from dataclasses import replace

    base = Settings()
    return replace(base, models=replace(base.models, dir=str(models_dir)),
                   inference=replace(base.inference, runtime=runtime, threads=1))


def frames() -> list[np.ndarray]:
    source = ReplaySource(sample_path("WolfgangLanger_Pexels.mp4"), realtime=False)
    source.open()
    images = []
    while (frame := source.read()) is not None:
        images.append(frame.image)
    source.close()
    return images


def stats(times: list[float]) -> dict[str, float]:
    return {"median_ms": round(float(np.median(times)), 3),
            "p95_ms": round(float(np.percentile(times, 95)), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=user_models_dir())
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    built = {name: build_recognizer(settings(args.models_dir, name)) for name in ("litert", "onnxruntime")}
    images = frames()
    report: dict[str, dict[str, dict[str, float]]] = {}
    models = {"blazeface_short": lambda b: b.recognizer._short,
              "blazeface_full": lambda b: b.recognizer._full}
    for key, get in models.items():
        times: dict[str, list[float]] = {name: [] for name in built}
        for image in images[:300]:
            for name, b in built.items():
                t0 = time.perf_counter()
                get(b).detect(image)
                times[name].append((time.perf_counter() - t0) * 1000)
        report[key] = {name: stats(t) for name, t in times.items()}
    crop = np.full((48, 48), 128, np.uint8)
    times = {name: [] for name in built}
    for i in range(300):
        face = np.roll(crop + (i % 7), i % 5)
        for name, b in built.items():
            t0 = time.perf_counter()
            b.classifier.raw_probs_and_embedding(face)
            times[name].append((time.perf_counter() - t0) * 1000)
    report["emotion_today_feeling_v5 (face + mirror)"] = {name: stats(t) for name, t in times.items()}
    times = {name: [] for name in built}
    agree = 0
    for i, image in enumerate(images):
        found = {}
        for name, b in built.items():
            t0 = time.perf_counter()
            found[name] = b.recognizer.analyse(image, i, i / 24)
            times[name].append((time.perf_counter() - t0) * 1000)
        a, o = found["litert"], found["onnxruntime"]
        agree += len(a.faces) == len(o.faces) and (a.primary is None) == (o.primary is None) and (
            a.primary is None or o.primary is None or a.primary.emotion == o.primary.emotion)
    report["pipeline per frame"] = {name: stats(t) for name, t in times.items()}
    report["pipeline per frame"]["agree"] = {"frames": len(images), "share": round(agree / len(images), 4)}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for what, by_runtime in report.items():
        cells = "  ".join(f"{name} {v.get('median_ms', v.get('share'))} (p95 {v.get('p95_ms', '-')})"
                          for name, v in by_runtime.items())
        print(f"{what:42s} {cells}")


if __name__ == "__main__":
    main()
