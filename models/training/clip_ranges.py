"""Bound every activation's range before int8 conversion, without changing what the net computes.

Why: the int8 step of each activation tensor is its calibrated range / 255, and that range is
set by the single largest value seen. In v2 the largest ReLU outputs are about twice the
99.99th percentile, so half of every step is spent on values that almost never occur. We clip
each ReLU at a high quantile c of its output on training faces and rescale so the bound is 6:
the BatchNorm before it is multiplied by 6/c (the converter folds it into the conv) and the
consumer's weights (next conv, or the dense layer after pooling) by c/6. ReLU is positively
homogeneous and max-pooling and averaging commute with a positive per-tensor scale, so the
only change to the float function is the clip itself; the ReLU6 fuses into CONV_2D, which the
EdgeTPU maps.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import tensorflow as tf
from models.training.model import ArchConfig, build_model

BOUND = 6.0  # ReLU6: a fused activation every int8 backend (EdgeTPU included) supports


def capped_copy(
    model: tf.keras.Model, cfg: ArchConfig, faces: np.ndarray, quantile: float
) -> tuple[tf.keras.Model, list[float]]:
    """Return (a ReLU6 copy of ``model`` clipped at ``quantile`` per layer, the clip values).

    ``faces``: (N, size, size, 1) float faces in the model's input scale (calibration faces).
    """
    relus = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.ReLU)]
    probe = tf.keras.Model(model.input, [layer.output for layer in relus])
    outputs = probe.predict(faces, batch_size=128, verbose=0)
    clips = [float(np.quantile(out, quantile)) for out in outputs]

    capped = build_model(dataclasses.replace(cfg, relu_cap=BOUND))
    capped.set_weights(model.get_weights())
    bns = [layer for layer in capped.layers if isinstance(layer, tf.keras.layers.BatchNormalization)]
    consumers = [layer for layer in capped.layers if isinstance(layer, tf.keras.layers.Conv2D)][1:]
    consumers.append(capped.get_layer("logits"))
    for bn, consumer, clip in zip(bns, consumers, clips, strict=True):
        scale = BOUND / clip
        gamma, beta, mean, var = bn.get_weights()
        bn.set_weights([gamma * scale, beta * scale, mean, var])
        weights = consumer.get_weights()
        consumer.set_weights([weights[0] / scale, *weights[1:]])
    return capped, clips
