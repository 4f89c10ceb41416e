"""Landmark-geometry experiment (issue 3): does MediaPipe face-mesh geometry help the CNN?

Step 1 (this module's main, any venv with ai-edge-litert):
    nice -n 19 python -m models.training.landmarks extract --out /work/ckpt/landmarks.npz
runs face_landmark.tflite (468 points) on every FER2013 crop (gray upscaled to 192x192 RGB)
and stores normalised geometry: points centred on their mean and scaled by the eye distance,
so the features describe shape (mouth opening, brow height) rather than position or size.
Step 2 (``fuse``, training venv) fits a geometry-only classifier and a late fusion with the
CNN's logits on the training hold-out, and reports PublicTest accuracy of each.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import cv2
import numpy as np

logger = logging.getLogger(__name__)
LEFT_EYE, RIGHT_EYE = 33, 263  # outer eye corners in the 468-point mesh


def normalise(points: np.ndarray) -> np.ndarray:
    """(468, 3) mesh -> (468*2,) xy centred and scaled by the outer-eye distance."""
    xy = points[:, :2] - points[:, :2].mean(axis=0)
    eye = float(np.linalg.norm(xy[LEFT_EYE] - xy[RIGHT_EYE])) or 1.0
    return (xy / eye).astype(np.float32).ravel()


def extract(model: Path, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Geometry features (N, 936) and face-presence scores (N,) for gray crops."""
    from ai_edge_litert.interpreter import Interpreter

    interp = Interpreter(model_path=str(model), num_threads=1)
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]["index"]
    out_pts, out_score = (o["index"] for o in interp.get_output_details())
    feats = np.zeros((len(faces), 936), np.float32)
    scores = np.zeros(len(faces), np.float32)
    t0 = time.time()
    for i, face in enumerate(faces):
        rgb = cv2.cvtColor(cv2.resize(face, (192, 192), interpolation=cv2.INTER_LINEAR), cv2.COLOR_GRAY2RGB)
        interp.set_tensor(inp, (rgb.astype(np.float32) / 255.0)[None])
        interp.invoke()
        feats[i] = normalise(interp.get_tensor(out_pts).reshape(468, 3))
        scores[i] = float(interp.get_tensor(out_score).ravel()[0])
        if i % 5000 == 0:
            logger.info("landmarks %d/%d %.0fs", i, len(faces), time.time() - t0)
    return feats, scores


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("step", choices=("extract",))
    p.add_argument("--data", type=Path, default=Path("../shared/datasets/fer2013_train_public.npz"))
    p.add_argument(
        "--model", type=Path, default=Path("~/.cache/today-feeling/models/face_landmark.tflite").expanduser()
    )
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    with np.load(args.data) as d:
        x_train, x_public = d["x_train"], d["x_public"]
    f_pub, s_pub = extract(args.model, x_public)
    f_tr, s_tr = extract(args.model, x_train)
    np.savez_compressed(args.out, f_train=f_tr, s_train=s_tr, f_public=f_pub, s_public=s_pub)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
