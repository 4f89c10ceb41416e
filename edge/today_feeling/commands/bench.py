"""``today-feeling bench SOURCE``: every frame as fast as possible, per-stage figures.

Reports medians and 95th percentiles (not means: a shared machine has outliers) and
the process's peak resident memory, the two numbers that decide whether a Pi keeps up.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from dataclasses import replace
from typing import Any

import numpy as np

from today_feeling.capture.factory import make_source
from today_feeling.commands.common import (
    add_config_argument,
    add_override_arguments,
    settings_from_args,
)
from today_feeling.inference.build import build_recognizer, runtime_label

STAGES = ("capture", "detect", "align", "classify", "total")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="video file, image folder, camera index or URL")
    add_config_argument(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads per interpreter")
    add_override_arguments(parser, "--models-dir")
    parser.add_argument("--max-frames", type=int, default=0, help="stop after N frames (0: all)")
    parser.add_argument("--warmup", type=int, default=5, help="frames excluded from the figures")


def peak_rss_mb() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def summarize(samples: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {
        stage: {"median_ms": round(float(np.median(values)), 3),
                "p95_ms": round(float(np.percentile(values, 95)), 3)}
        for stage, values in samples.items() if values
    }


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if args.threads is not None:
        settings = replace(settings, inference=replace(settings.inference, threads=args.threads))
    source = make_source(args.source, settings.capture, realtime=False, loop=False)
    built = build_recognizer(settings)
    samples: dict[str, list[float]] = {stage: [] for stage in STAGES}
    detectors: dict[str, int] = {}
    frames = faces = 0
    source.open()
    started = time.perf_counter()
    try:
        while args.max_frames <= 0 or frames < args.max_frames:
            t0 = time.perf_counter()
            frame = source.read()
            if frame is None:
                break
            t1 = time.perf_counter()
            analysis = built.recognizer.analyse(frame.image, frame.index, frame.t)
            t2 = time.perf_counter()
            frames += 1
            faces += len(analysis.faces)
            detectors[analysis.detector] = detectors.get(analysis.detector, 0) + 1
            if frames <= args.warmup:
                continue
            samples["capture"].append((t1 - t0) * 1000)
            samples["total"].append((t2 - t0) * 1000)
            for stage in ("detect", "align", "classify"):
                samples[stage].append(analysis.stage_ms.get(stage, 0.0))
    finally:
        source.close()
    elapsed = time.perf_counter() - started
    report: dict[str, Any] = {
        "source": args.source, "frames": frames, "faces": faces,
        "fps": round(frames / elapsed, 2) if elapsed > 0 else 0.0,
        "stages": summarize(samples), "peak_rss_mb": round(peak_rss_mb(), 1),
        "threads": settings.inference.threads, "runtime": runtime_label(settings),
        "accelerator": built.accelerator, "detector_mode": settings.models.detector,
        "detector_frames": detectors, "emotion_model": built.classifier.name,
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{frames} frames, {report['fps']} fps, peak RSS {report['peak_rss_mb']} MB "
              f"({report['runtime']}, {report['accelerator']}, {report['threads']} thread(s))")
        for stage, figures in report["stages"].items():
            print(f"  {stage:9s} median {figures['median_ms']:7.3f} ms   p95 {figures['p95_ms']:7.3f} ms")
    return 0
