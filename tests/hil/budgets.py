"""Per-model latency budgets for the hardware-in-the-loop checks, shared by every accelerator.

One frame may take 1000 / pipeline.max_fps ms, of which the face detector may use 40 %,
landmarks 20 % and one emotion classification 10 % (up to detection.max_faces faces share the
rest). On an accelerator (EdgeTPU, CUDA, TensorRT) each budget is halved: buying one is only
worth it if it at least doubles the headroom.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from today_feeling.config.settings import Settings
from today_feeling.inference.runtime import LoadedModel

SHARE = {"face_detector": 0.4, "face_landmark": 0.2, "emotion": 0.1}
ACCELERATED = ("edgetpu", "cuda", "tensorrt")
WARMUP_RUNS = 3
TIMED_RUNS = 30


def median_ms(model: LoadedModel, warmup_runs: int = WARMUP_RUNS) -> float:
    """Median of TIMED_RUNS invocations on a zero input, after a warm-up (TensorRT builds its
    engine on the first run, so a GPU caller asks for more warm-up)."""
    interpreter = model.interpreter
    detail = interpreter.get_input_details()[0]
    interpreter.set_tensor(detail["index"], np.zeros(detail["shape"], dtype=detail["dtype"]))
    for _ in range(warmup_runs):
        interpreter.invoke()
    times = []
    for _ in range(TIMED_RUNS):
        start = time.perf_counter()
        interpreter.invoke()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def budget_ms(settings: Settings, kind: str, accelerator: str) -> float:
    """What one invocation of a ``kind`` model may take on ``accelerator``."""
    frame_ms = 1000.0 / settings.pipeline.max_fps
    share = SHARE.get(kind, 0.2)
    return frame_ms * share * (0.5 if accelerator in ACCELERATED else 1.0)
