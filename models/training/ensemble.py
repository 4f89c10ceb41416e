"""Join trained models into one network that outputs the mean of their logits (one int8 file).

    python -m models.training.ensemble /work/ckpt/v4_from_tflite.keras /work/ckpt/s7/swa.keras \
        --run /work/ckpt/s7 --out /work/ckpt/v5/swa.keras

Why: independently trained nets make different mistakes, so their average is more accurate
than either, but the daemon runs one model per face and the EdgeTPU wants one subgraph. Each
member keeps its own tower up to global average pooling; their features are concatenated and
one dense layer holds every member's last layer scaled by 1/N, which is exactly the mean of the
members' logits. The result is an ordinary Keras model whose last layer is named ``logits``, so
``export.py --keras`` folds the temperature into it and converts it like any of ours.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from models.training.model import apply_copy

logger = logging.getLogger(__name__)
L = tf.keras.layers


def join(members: list[tf.keras.Model]) -> tf.keras.Model:
    """One model computing mean(member logits); members must end in GAP -> dropout -> dense 'logits'."""
    inp = tf.keras.Input(members[0].input.shape[1:], name="face")
    features, kernels, biases = [], [], []
    for i, member in enumerate(members):
        x = inp
        for layer in member.layers[1:]:
            if layer.name == "logits":
                break
            x = apply_copy(layer, x, name=f"m{i}_{layer.name}")
        features.append(x)
        kernel, bias = member.get_layer("logits").get_weights()
        kernels.append(kernel / len(members))
        biases.append(bias / len(members))
    dense = L.Dense(kernels[0].shape[1], name="logits")
    out = dense(L.Concatenate(name="members")(features))
    dense.set_weights([np.concatenate(kernels), np.sum(biases, axis=0)])
    return tf.keras.Model(inp, out, name="today_feeling_emotion_ensemble")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("members", type=Path, nargs="+", help="trained .keras models of the same input size")
    p.add_argument("--out", type=Path, required=True, help="where to write the joined .keras model")
    p.add_argument(
        "--run",
        type=Path,
        default=None,
        help="a member's run: its args.json (hold-out, seed, classes) goes beside --out for export.py",
    )
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    members = [tf.keras.models.load_model(m, compile=False) for m in args.members]
    joined = join(members)
    size = int(joined.input.shape[1])
    probe = np.random.default_rng(0).uniform(0, 1, (64, size, size, 1)).astype(np.float32)
    expected = np.mean([m(probe, training=False) for m in members], axis=0)
    gap = float(np.abs(joined(probe, training=False) - expected).max())
    logger.info(
        "members=%d params=%d max |logit - mean of members| %.2e", len(members), joined.count_params(), gap
    )
    if gap > 1e-4:
        raise SystemExit(f"joined model differs from the mean of its members by {gap}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    joined.save(args.out)
    if args.run is not None:
        run_args = json.loads((args.run / "args.json").read_text())
        run_args["ensemble_members"] = [str(m) for m in args.members]
        (args.out.parent / "args.json").write_text(json.dumps(run_args, indent=1))
    logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
