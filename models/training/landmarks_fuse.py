"""Landmark-geometry experiment, step 2 (training venv): geometry classifier and late fusion.

    python -m models.training.landmarks_fuse --features /work/ckpt/landmarks.npz \
        --cnn models/emotion/today_feeling_emotion_v1_float.tflite --run /work/ckpt/tf_emotion_v1

1. Geometry-only: PCA(96) of the normalised mesh, then a small MLP trained on Training minus
   the hold-out; PublicTest accuracy tells how much signal the geometry carries alone.
2. Fusion: multinomial logistic regression on [CNN log-probs, geometry log-probs], fitted on the
   training hold-out only (the CNN has seen the rest), evaluated on PublicTest against the CNN
   alone. The fusion is worth shipping only if it gains clearly more than noise for its latency.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from models.training.data import load_fer2013, resize_split, run_holdout


def cnn_logprobs(path: Path, x: np.ndarray) -> np.ndarray:
    interp = tf.lite.Interpreter(model_path=str(path), num_threads=2)
    interp.allocate_tensors()
    i, o = interp.get_input_details()[0]["index"], interp.get_output_details()[0]["index"]
    out = np.zeros((len(x), 7), np.float32)
    for k, face in enumerate(x):
        interp.set_tensor(i, face[None, :, :, None].astype(np.float32) / 255.0)
        interp.invoke()
        out[k] = interp.get_tensor(o)[0]
    return np.log(np.clip(out, 1e-6, 1.0))


def mlp(dim: int, hidden: int, l2: float) -> tf.keras.Model:
    reg = tf.keras.regularizers.l2(l2)
    inp = tf.keras.Input((dim,))
    x = tf.keras.layers.Dense(hidden, activation="relu", kernel_regularizer=reg)(inp) if hidden else inp
    x = tf.keras.layers.Dropout(0.3)(x) if hidden else x
    out = tf.keras.layers.Dense(7, kernel_regularizer=reg)(x)
    model = tf.keras.Model(inp, out)
    model.compile(
        optimizer=tf.keras.optimizers.Adam(1e-3),
        metrics=["accuracy"],
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--features", type=Path, required=True)
    p.add_argument("--cnn", type=Path, required=True, help="float reference .tflite (softmax output)")
    p.add_argument("--run", type=Path, required=True, help="training run (args.json: hold-out seed)")
    p.add_argument("--data", default="../shared/datasets/fer2013_train_public.npz")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.keras.utils.set_random_seed(7)
    run_args = json.loads((args.run / "args.json").read_text())
    train, public = (resize_split(s, run_args["size"]) for s in load_fer2013(args.data))
    tr, ho = run_holdout(train.y, run_args)
    f = np.load(args.features)
    ftr, fpub = f["f_train"], f["f_public"]
    mean = ftr[tr].mean(0)
    _, _, vt = np.linalg.svd(ftr[tr][::4] - mean, full_matrices=False)
    proj = lambda a: (a - mean) @ vt[:96].T  # noqa: E731
    z_tr, z_pub = proj(ftr), proj(fpub)
    scale = z_tr[tr].std(0) + 1e-6
    z_tr, z_pub = z_tr / scale, z_pub / scale
    geo = mlp(96, 256, 1e-4)
    geo.fit(z_tr[tr], train.y[tr], epochs=40, batch_size=256, verbose=0)
    geo_pub = geo.predict(z_pub, verbose=0)
    geo_ho = geo.predict(z_tr[ho], verbose=0)
    res: dict[str, float] = {"geometry_only_public_acc7": float((geo_pub.argmax(1) == public.y).mean())}
    cnn_pub, cnn_ho = cnn_logprobs(args.cnn, public.x), cnn_logprobs(args.cnn, train.x[ho])
    res["cnn_public_acc7"] = float((cnn_pub.argmax(1) == public.y).mean())

    def logsm(a: np.ndarray) -> np.ndarray:
        top = a.max(1, keepdims=True)
        return a - np.log(np.exp(a - top).sum(1, keepdims=True)) - top

    fuse_ho = np.concatenate([cnn_ho, logsm(geo_ho)], 1)
    fuse_pub = np.concatenate([cnn_pub, logsm(geo_pub)], 1)
    fuser = mlp(14, 0, 1e-3)
    fuser.fit(fuse_ho, train.y[ho], epochs=300, batch_size=256, verbose=0)
    res["fusion_public_acc7"] = float((fuser.predict(fuse_pub, verbose=0).argmax(1) == public.y).mean())
    cnn_only = mlp(7, 0, 1e-3)  # same recalibration without geometry: the fair comparison
    cnn_only.fit(cnn_ho, train.y[ho], epochs=300, batch_size=256, verbose=0)
    res["cnn_refit_public_acc7"] = float((cnn_only.predict(cnn_pub, verbose=0).argmax(1) == public.y).mean())
    res["landmark_face_score_median_public"] = float(np.median(f["s_public"]))
    print(json.dumps(res, indent=1))
    if args.out:
        args.out.write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
