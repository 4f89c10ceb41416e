"""Widen a trained model without changing what it computes (Net2WiderNet), to keep training it.

    python -m models.training.widen IN.weights.h5 OUT.weights.h5 --from-widths 24,48,96,192 \
        --to-widths 32,64,128,256

Why: our nets under-fit FER2013 (training accuracy ~76 % against ~67 % on PublicTest) and each
round of training from scratch costs hours on 2 CPU cores. Widening a finished model lets the
next round start at its accuracy with more capacity. Each new channel copies an existing one
(same kernel, same BatchNorm parameters and statistics, so the same activation, also under batch
statistics); the next layer's weights for a copied channel are split between the copies with
random positive shares that sum to one. The function is exactly the same, and the unequal
shares give the copies different gradients, so they can learn different features.
"""

from __future__ import annotations

import argparse
import logging
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from models.training.model import ArchConfig, build_model

logger = logging.getLogger(__name__)


def _channel_map(old: int, new: int, rng: np.random.Generator) -> np.ndarray:
    """Source channel of each new channel: the old ones first, then random copies."""
    if new < old:
        raise ValueError(f"cannot narrow {old} -> {new} channels")
    return np.concatenate([np.arange(old), rng.integers(0, old, new - old)])


def _shares(mapping: np.ndarray, old: int, rng: np.random.Generator) -> np.ndarray:
    """Per new channel, its share of the source channel's outgoing weights (shares sum to 1)."""
    raw = rng.uniform(0.5, 1.5, mapping.size)
    totals = np.bincount(mapping, weights=raw, minlength=old)
    return raw / totals[mapping]


def _conv_layers(cfg: ArchConfig) -> list[str]:
    return [f"s{s}_{r}" for s, reps in enumerate(cfg.repeats) for r in range(reps)]


def widen(src: tf.keras.Model, src_cfg: ArchConfig, dst_cfg: ArchConfig, seed: int = 0) -> tf.keras.Model:
    """A model with ``dst_cfg``'s widths computing the same function as ``src``."""
    if src_cfg.repeats != dst_cfg.repeats or src_cfg.classes != dst_cfg.classes:
        raise ValueError("only widths may change")
    rng = np.random.default_rng(seed)
    dst = build_model(dst_cfg)
    widths_old = [w for w, reps in zip(src_cfg.widths, src_cfg.repeats, strict=True) for _ in range(reps)]
    widths_new = [w for w, reps in zip(dst_cfg.widths, dst_cfg.repeats, strict=True) for _ in range(reps)]
    in_map = np.arange(1)  # the gray input: one channel, never copied
    in_share = np.ones(1)
    for name, old, new in zip(_conv_layers(src_cfg), widths_old, widths_new, strict=True):
        out_map = _channel_map(old, new, rng)
        (kernel,) = src.get_layer(f"{name}_conv").get_weights()
        kernel = kernel[:, :, in_map, :] * in_share[None, None, :, None]
        dst.get_layer(f"{name}_conv").set_weights([kernel[..., out_map]])
        bn = src.get_layer(f"{name}_bn").get_weights()  # gamma, beta, moving mean, moving variance
        dst.get_layer(f"{name}_bn").set_weights([w[out_map] for w in bn])
        in_map, in_share = out_map, _shares(out_map, old, rng)
    kernel, bias = src.get_layer("logits").get_weights()
    dst.get_layer("logits").set_weights([kernel[in_map] * in_share[:, None], bias])
    return dst


def _widths(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in text.split(","))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("src", help="weights of the trained model (.weights.h5 or .keras)")
    p.add_argument("out", help="where to write the widened .weights.h5")
    p.add_argument("--from-widths", default="24,48,96,192")
    p.add_argument("--to-widths", required=True)
    p.add_argument("--repeats", default="1,2,2,2")
    p.add_argument("--size", type=int, default=48)
    p.add_argument("--classes", type=int, default=7)
    p.add_argument("--seed", type=int, default=20261129)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    shape = {"repeats": _widths(args.repeats), "size": args.size, "classes": args.classes}
    src_cfg = ArchConfig(widths=_widths(args.from_widths), **shape)
    dst_cfg = ArchConfig(widths=_widths(args.to_widths), **shape)
    if args.src.endswith(".keras"):
        src = tf.keras.models.load_model(args.src, compile=False)
    else:
        src = build_model(src_cfg)
        src.load_weights(args.src)
    dst = widen(src, src_cfg, dst_cfg, args.seed)

    probe = np.random.default_rng(0).uniform(0, 1, (64, args.size, args.size, 1)).astype(np.float32)
    gap = float(np.abs(src(probe, training=False) - dst(probe, training=False)).max())
    logger.info("params %d -> %d; max |logit difference| %.2e", src.count_params(), dst.count_params(), gap)
    if gap > 1e-3:
        raise SystemExit(f"widened model differs from its source by {gap}")
    dst.save_weights(args.out)
    logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
