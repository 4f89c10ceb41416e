"""Full-integer BlazeFace against the float models: same faces, same boxes, cost per call.

    PYTHONPATH=edge .venv/bin/python benchmarks/detector_int8.py [--json]

On frames the int8 calibration never saw (every frame of WolfgangLanger_Pexels.mp4, the posed
photos, scikit-image's astronaut), each float detection is matched to the int8 detection of
highest IoU: ``found`` = share with IoU >= 0.5, ``IoU`` = median over matches, ``kp err`` =
median and p95 over matches of the largest of the six keypoint distances divided by the float
box's width (``kp mean``: the mean of the six, median over matches), ``extra`` = int8
detections no float detection matches. Latency: ``detect()``
(letterbox, invoke, decode, NMS) on one thread, median and p95 over the video's frames, the
float and int8 models interleaved frame by frame so both see the same machine load.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace

import cv2
import numpy as np

from today_feeling.capture.replay import ReplaySource
from today_feeling.config.settings import Settings
from today_feeling.inference.blazeface import iou
from today_feeling.inference.build import load_detectors
from today_feeling.inference.face_detector import Detection, FaceDetector
from today_feeling.model_store.registry import user_models_dir
from today_feeling_dev.samples import sample_path

PHOTOS = ("0-f1-su-ph.jpg", "0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg", "single_face.jpg")


def held_out_images() -> list[np.ndarray]:
    images = [cv2.imread(str(sample_path(name))) for name in PHOTOS]
    try:
        from skimage import data

        images.append(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    except ImportError:
        pass
    source = ReplaySource(sample_path("WolfgangLanger_Pexels.mp4"), realtime=False)
    source.open()
    while (frame := source.read()) is not None:
        images.append(frame.image)
    source.close()
    return images


def detectors(models_dir: str, short: str, full: str) -> dict[str, FaceDetector]:
    base = Settings()
    settings = replace(base, models=replace(base.models, dir=models_dir, detector="auto",
                                            short_detector=short, full_detector=full),
                       inference=replace(base.inference, threads=1))
    return load_detectors(settings)


def agreement(reference: list[Detection],
              candidate: list[Detection]) -> tuple[list[float], list[tuple[float, float]], int]:
    """(IoU of each reference face, (max, mean) keypoint error / width of each match, unmatched)."""
    ious: list[float] = []
    errors: list[tuple[float, float]] = []
    used: set[int] = set()
    cand_boxes = np.array([d.box for d in candidate], np.float32).reshape(-1, 4)
    for ref in reference:
        if not len(cand_boxes):
            ious.append(0.0)
            continue
        overlaps = iou(np.array(ref.box, np.float32), cand_boxes)
        best = int(np.argmax(overlaps))
        ious.append(float(overlaps[best]))
        if overlaps[best] >= 0.5:
            used.add(best)
            width = ref.box[2] - ref.box[0]
            distances = np.hypot(*(np.array(candidate[best].keypoints) - np.array(ref.keypoints)).T)
            errors.append((float(distances.max() / width), float(distances.mean() / width)))
    return ious, errors, len(candidate) - len(used)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", default=str(user_models_dir()))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    float_models = detectors(args.models_dir, "blazeface_short", "blazeface_full")
    int8_models = detectors(args.models_dir, "blazeface_short_int8", "blazeface_full_int8")
    images = held_out_images()
    report: dict[str, dict[str, float]] = {}
    for name in ("short", "full"):
        ious: list[float] = []
        errors: list[tuple[float, float]] = []
        extra = 0
        times: dict[str, list[float]] = {"float": [], "int8": []}
        for image in images:
            found = {}
            for precision, models in (("float", float_models), ("int8", int8_models)):
                t0 = time.perf_counter()
                found[precision] = models[name].detect(image)
                times[precision].append((time.perf_counter() - t0) * 1000)
            i, e, x = agreement(found["float"], found["int8"])
            ious += i
            errors += e
            extra += x
        matched = [v for v in ious if v >= 0.5]
        report[name] = {
            "images": len(images), "float_faces": len(ious),
            "found": round(len(matched) / max(1, len(ious)), 4),
            "median_iou": round(float(np.median(matched)), 4) if matched else 0.0,
            "kp_err_median": round(float(np.median([e[0] for e in errors])), 4) if errors else 0.0,
            "kp_err_p95": round(float(np.percentile([e[0] for e in errors], 95)), 4) if errors else 0.0,
            "kp_mean_median": round(float(np.median([e[1] for e in errors])), 4) if errors else 0.0,
            "extra": extra,
            **{f"{p}_ms_median": round(float(np.median(t)), 3) for p, t in times.items()},
            **{f"{p}_ms_p95": round(float(np.percentile(t, 95)), 3) for p, t in times.items()},
        }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for name, r in report.items():
        print(f"{name:5s} {r['float_faces']} float faces in {r['images']} images: int8 found "
              f"{r['found']:.2%}, median IoU {r['median_iou']:.3f}, keypoints {r['kp_err_median']:.2%} "
              f"(p95 {r['kp_err_p95']:.2%}; mean of six {r['kp_mean_median']:.2%}) of the width, "
              f"{r['extra']} extra; detect() float "
              f"{r['float_ms_median']:.2f} ms (p95 {r['float_ms_p95']:.2f}), int8 "
              f"{r['int8_ms_median']:.2f} ms (p95 {r['int8_ms_p95']:.2f})")


if __name__ == "__main__":
    main()
