"""Compact VGG-style CNN built only from ops the EdgeTPU maps (CONV_2D, MAX_POOL_2D, MEAN, FULLY_CONNECTED).

Why this shape: on 2 shared CPU cores training time dominates, so the net keeps the 48x48
stage to a single cheap conv and spends its depth at 24/12/6 px. BatchNorm follows every conv
(folded into the conv by the TFLite converter), ReLU keeps int8 ranges simple, and global
average pooling keeps the parameter count (and the int8 file) near 1 MB.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import tensorflow as tf

L = tf.keras.layers


@dataclass(frozen=True)
class ArchConfig:
    """Width and depth per resolution stage; the input is (size, size, 1) in [0, 1]."""

    widths: tuple[int, ...] = (32, 64, 128, 256)
    repeats: tuple[int, ...] = (1, 2, 2, 2)
    size: int = 48
    classes: int = 7
    dropout: float = 0.4
    relu_cap: float | None = None  # ReLU6-style bound, set only on export (see clip_ranges.py)


def arch_of(run_args: Mapping[str, object]) -> ArchConfig:
    """The architecture a run trains: its command-line arguments, or the args.json it saved."""
    return ArchConfig(
        widths=tuple(int(v) for v in str(run_args["widths"]).split(",")),
        repeats=tuple(int(v) for v in str(run_args["repeats"]).split(",")),
        classes=int(str(run_args["classes"])),
        size=int(str(run_args.get("size", 48))),
    )


def _conv_bn_relu(x: tf.Tensor, channels: int, name: str, cap: float | None = None) -> tf.Tensor:
    x = L.Conv2D(
        channels, 3, padding="same", use_bias=False, kernel_initializer="he_normal", name=f"{name}_conv"
    )(x)
    x = L.BatchNormalization(name=f"{name}_bn")(x)
    return L.ReLU(max_value=cap, name=f"{name}_relu")(x)


def build_model(cfg: ArchConfig) -> tf.keras.Model:
    """Return the Keras model; outputs are logits (softmax and temperature are added on export)."""
    inp = L.Input((cfg.size, cfg.size, 1), name="face")
    x = inp
    for stage, (width, reps) in enumerate(zip(cfg.widths, cfg.repeats, strict=True)):
        for r in range(reps):
            x = _conv_bn_relu(x, width, f"s{stage}_{r}", cfg.relu_cap)
        if stage < len(cfg.widths) - 1:
            x = L.MaxPool2D(name=f"s{stage}_pool")(x)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    x = L.Dropout(cfg.dropout, name="drop")(x)
    out = L.Dense(cfg.classes, name="logits")(x)
    return tf.keras.Model(inp, out, name="today_feeling_emotion")


def apply_copy(layer: tf.keras.layers.Layer, x: tf.Tensor, name: str | None = None) -> tf.Tensor:
    """Apply a fresh copy of ``layer`` (same config and weights, optionally renamed) to ``x``.

    Why: folding BatchNorm and joining an ensemble both rebuild a graph from a trained one,
    keeping every layer they do not rewrite exactly as it was.
    """
    config = layer.get_config() if name is None else {**layer.get_config(), "name": name}
    copy = layer.__class__.from_config(config)
    out = copy(x)
    if layer.get_weights():
        copy.set_weights(layer.get_weights())
    return out
