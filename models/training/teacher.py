"""Soft targets for distillation: averaged class probabilities of existing models on Training.

Why: FER2013's hard labels are noisy (humans agree with them ~65 % of the time), and a
student learns more from where good models hesitate than from one-hot targets. Teachers are
run on each face and its mirror image, averaged over views and models, and written in the
FER2013 7-class order, one row per Training face (same order as the npz).

    python -m models.training.teacher --out /work/ckpt/teacher_train.npy \
        --fer ~/.cache/today-feeling/models/fer_emotion_model_quantized.tflite \
        --ours models/emotion/today_feeling_emotion_v1_float.tflite
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import cv2
import numpy as np
from ai_edge_litert.interpreter import Interpreter

logger = logging.getLogger(__name__)


class TfliteTeacher:
    """One float-input classifier with its own input size and pixel mapping."""

    def __init__(self, path: Path, scale: float, offset: float, temperature: float = 1.0) -> None:
        self.it = Interpreter(str(path), num_threads=2)
        self.it.allocate_tensors()
        self.inp = self.it.get_input_details()[0]
        self.out = self.it.get_output_details()[0]["index"]
        self.size = int(self.inp["shape"][1])
        self.scale, self.offset, self.temperature = scale, offset, temperature

    def probabilities(self, faces: np.ndarray) -> np.ndarray:
        """(N, 48, 48) uint8 -> (N, 7) probabilities, mirror-averaged."""
        rows = np.empty((len(faces), 7), np.float32)
        interp = cv2.INTER_AREA if self.size < faces.shape[1] else cv2.INTER_LINEAR
        for i, face in enumerate(faces):
            views = (face, face[:, ::-1])
            acc = np.zeros(7, np.float64)
            for v in views:
                img = cv2.resize(np.ascontiguousarray(v), (self.size, self.size), interpolation=interp)
                x = (img.astype(np.float32) * self.scale + self.offset)[None, ..., None]
                self.it.set_tensor(self.inp["index"], x)
                self.it.invoke()
                p = self.it.get_tensor(self.out)[0].astype(np.float64)
                if self.temperature != 1.0:  # soften: p^(1/T), renormalised
                    p = np.power(np.maximum(p, 1e-12), 1.0 / self.temperature)
                    p /= p.sum()
                acc += p
            rows[i] = acc / len(views)
        return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default="../shared/datasets/fer2013_train_public.npz")
    p.add_argument("--fer", type=Path, help="fer's emotion_model_quantized.tflite (64x64, (x/255-0.5)*2)")
    p.add_argument("--ours", type=Path, nargs="+", default=[], help="our float .tflite files (x/255)")
    p.add_argument("--temperature", type=float, default=2.0, help="softening applied to each teacher")
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    teachers: dict[str, TfliteTeacher] = {}
    if args.fer:
        teachers["fer"] = TfliteTeacher(args.fer, 2 / 255, -1.0, args.temperature)
    for path in args.ours:  # each of ours is one more equal vote in the ensemble
        teachers[f"ours:{path.stem}"] = TfliteTeacher(path, 1 / 255, 0.0, args.temperature)
    if not teachers:
        p.error("give at least one of --fer / --ours")
    with np.load(args.data) as d:
        x_train, y_train = d["x_train"], d["y_train"].astype(np.int64)
        x_public, y_public = d["x_public"], d["y_public"].astype(np.int64)
    report: dict[str, dict[str, float]] = {}
    total = np.zeros((len(x_train), 7), np.float32)
    public_total = np.zeros((len(x_public), 7), np.float32)
    for name, teacher in teachers.items():
        probs = teacher.probabilities(x_train)
        public = teacher.probabilities(x_public)
        total += probs / len(teachers)
        public_total += public / len(teachers)
        report[name] = {
            "train_acc": float((probs.argmax(1) == y_train).mean()),
            "public_acc": float((public.argmax(1) == y_public).mean()),
        }
        logger.info("%s: %s", name, report[name])
    report["ensemble"] = {
        "train_acc": float((total.argmax(1) == y_train).mean()),
        "public_acc": float((public_total.argmax(1) == y_public).mean()),
        "mean_max_prob_train": float(total.max(1).mean()),
    }
    logger.info("ensemble: %s", report["ensemble"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.save(args.out, total)
    Path(f"{args.out}.json").write_text(
        json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "report": report}, indent=1)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
