"""musicnn's MSD tagger rebuilt as a plain Keras graph, weights read from its TF1 checkpoint.

Why rebuild instead of freezing the original session: the original graph carries training
switches (dropout, batch statistics) as placeholders and TF1 layer plumbing that the TFLite
converter turns into needless ops. The network itself (Pons & Serra 2019, "musicnn") is small
and documented: a front end of vertical "timbral" filters (7 frames x 38 / 67 mel bands, 204
each) and horizontal "temporal" filters (128 / 64 / 32 frames x 1 band, 51 each), each max-
pooled over frequency; a mid end of three 7-frame 1-D convolutions (64 filters, the last two
residual) densely connected to the front end; a back end that pools max and mean over time,
then dense 200 (the "penultimate" embedding) and dense 50 (the tag logits). Every conv and
dense is followed by ReLU then inference-mode BatchNorm (epsilon 1e-3, TF1's default).

TF1 named its layers by creation order (conv2d, conv2d_1, ..., batch_normalization_N), which
is the order above; :func:`load_weights` checks every shape, so a mismatch cannot pass silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow import keras

N_FRAMES = 187
N_MELS = 96
BN_EPSILON = 1e-3
TIMBRAL = ((7, 38), (7, 67))
TEMPORAL = (128, 64, 32)


@dataclass(frozen=True)
class Checkpoint:
    """Variables of one musicnn checkpoint, by their TF1 names."""

    values: dict[str, np.ndarray]

    @classmethod
    def read(cls, prefix: Path) -> Checkpoint:
        reader = tf.train.load_checkpoint(str(prefix))
        names = reader.get_variable_to_shape_map()
        return cls({n: reader.get_tensor(n) for n in names if not n.endswith(("Adam", "Adam_1"))})

    def layer(self, kind: str, index: int) -> dict[str, np.ndarray]:
        name = kind if index == 0 else f"{kind}_{index}"
        prefix = f"{name}/"
        found = {k[len(prefix):]: v for k, v in self.values.items() if k.startswith(prefix)}
        if not found:
            raise KeyError(f"checkpoint has no layer {name}")
        return found


def _apply(layer: keras.layers.Layer, x: keras.KerasTensor, weights: list[np.ndarray]) -> keras.KerasTensor:
    """Call ``layer`` on ``x`` (which builds it) and then give it the checkpoint's weights."""
    y = layer(x)
    for have, want in zip(layer.get_weights(), weights, strict=True):
        if have.shape != want.shape:
            raise ValueError(f"{layer.name}: checkpoint shape {want.shape} != graph shape {have.shape}")
    layer.set_weights(weights)
    return y


def _bn(ckpt: Checkpoint, index: int, x: keras.KerasTensor,
        order: np.ndarray | None = None) -> keras.KerasTensor:
    w = ckpt.layer("batch_normalization", index)
    weights = [w["gamma"], w["beta"], w["moving_mean"], w["moving_variance"]]
    if order is not None:
        weights = [v[order] for v in weights]
    return _apply(keras.layers.BatchNormalization(epsilon=BN_EPSILON, name=f"bn{index}"), x, weights)


def _conv(ckpt: Checkpoint, index: int, padding: str, x: keras.KerasTensor) -> keras.KerasTensor:
    w = ckpt.layer("conv2d", index)
    kernel = w["kernel"]
    layer = keras.layers.Conv2D(kernel.shape[3], kernel.shape[:2], padding=padding,
                                activation="relu", name=f"conv{index}")
    return _apply(layer, x, [kernel, w["bias"]])


def _conv1d(ckpt: Checkpoint, index: int, x: keras.KerasTensor) -> keras.KerasTensor:
    """A mid-end conv: TF1 wrote it as a (7, channels) 2-D kernel over a 1-wide image."""
    w = ckpt.layer("conv2d", index)
    kernel = w["kernel"]  # (7, channels, 1, filters)
    layer = keras.layers.Conv1D(kernel.shape[3], kernel.shape[0], padding="same",
                                activation="relu", name=f"conv{index}")
    return _apply(layer, x, [kernel[:, :, 0, :], w["bias"]])


def _dense(ckpt: Checkpoint, index: int, activation: str | None, x: keras.KerasTensor,
           rows: np.ndarray | None = None) -> keras.KerasTensor:
    w = ckpt.layer("dense", index)
    kernel = w["kernel"] if rows is None else w["kernel"][rows]
    layer = keras.layers.Dense(kernel.shape[1], activation=activation, name=f"dense{index}")
    return _apply(layer, x, [kernel, w["bias"]])


def _max_over(x: keras.KerasTensor, axis: int) -> keras.KerasTensor:
    return keras.layers.Lambda(lambda t: keras.ops.max(t, axis=axis))(x)


def _mean_over(x: keras.KerasTensor, axis: int) -> keras.KerasTensor:
    return keras.layers.Lambda(lambda t: keras.ops.mean(t, axis=axis))(x)


def build(ckpt: Checkpoint) -> keras.Model:
    """Log-mel patch (batch, 187, 96) -> {"embedding": (batch, 200), "tags": (batch, 50)}."""
    x = keras.Input((N_FRAMES, N_MELS), name="log_mel")
    image = _bn(ckpt, 0, keras.layers.Reshape((N_FRAMES, N_MELS, 1))(x))
    branches = []
    conv_i = 0
    for _ in TIMBRAL:
        padded = keras.layers.ZeroPadding2D(((3, 3), (0, 0)))(image)
        branches.append(_max_over(_bn(ckpt, conv_i + 1, _conv(ckpt, conv_i, "valid", padded)), axis=2))
        conv_i += 1
    for _ in TEMPORAL:
        branches.append(_max_over(_bn(ckpt, conv_i + 1, _conv(ckpt, conv_i, "same", image)), axis=2))
        conv_i += 1
    front = keras.layers.Concatenate(axis=-1)(branches)
    mid1 = _bn(ckpt, 6, _conv1d(ckpt, 5, front))
    mid2 = keras.layers.Add()([_bn(ckpt, 7, _conv1d(ckpt, 6, mid1)), mid1])
    mid3 = keras.layers.Add()([_bn(ckpt, 8, _conv1d(ckpt, 7, mid2)), mid2])
    features = keras.layers.Concatenate(axis=-1)([front, mid1, mid2, mid3])
    width = features.shape[-1]
    # TF1 flattened (width, [max, mean]) interleaved; we concatenate [max..., mean...] instead
    # and permute the next layers' rows to match, which keeps the graph free of reshapes.
    order = np.concatenate([np.arange(0, 2 * width, 2), np.arange(1, 2 * width, 2)])
    pooled = keras.layers.Concatenate(axis=-1)([_max_over(features, axis=1), _mean_over(features, axis=1)])
    dense = _dense(ckpt, 0, "relu", _bn(ckpt, 9, pooled, order=order), rows=order)
    embedding = keras.layers.Activation("linear", name="embedding")(_bn(ckpt, 10, dense))
    tags = keras.layers.Activation("sigmoid", name="tags")(_dense(ckpt, 1, None, embedding))
    return keras.Model(x, {"embedding": embedding, "tags": tags}, name="musicnn_msd")
