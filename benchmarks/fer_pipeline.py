"""Time the `fer` package's own pipeline, FER(mtcnn=False), on a video, one thread.

Runs inside the throwaway venv made by compare_fer.py (fer needs full TensorFlow,
which the product never installs). Prints one JSON object like `today-feeling bench`.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import cv2
import numpy as np
import tensorflow as tf

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)
cv2.setNumThreads(1)

from fer.fer import FER  # noqa: E402


def main(video: str, warmup: int = 5) -> None:
    detector = FER(mtcnn=False)
    capture = cv2.VideoCapture(video)
    totals, frames, faces = [], 0, 0
    started = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        ok, frame = capture.read()
        if not ok:
            break
        found = detector.detect_emotions(frame)
        t1 = time.perf_counter()
        frames += 1
        faces += len(found)
        if frames > warmup:
            totals.append((t1 - t0) * 1000)
    elapsed = time.perf_counter() - started
    print(json.dumps({
        "pipeline": "fer==25.10.3 FER(mtcnn=False)",
        "frames": frames, "faces": faces, "fps": round(frames / elapsed, 2),
        "stages": {"total": {"median_ms": round(float(np.median(totals)), 3),
                             "p95_ms": round(float(np.percentile(totals, 95)), 3)}},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "threads": 1,
    }))


if __name__ == "__main__":
    main(sys.argv[1])
