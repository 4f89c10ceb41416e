"""Batch-level augmentation in TensorFlow (one projective warp per image, then photometric jitter).

Why one warp: rotation, scale, shift and flip compose into a single affine transform, which is
the cheapest way to augment on a CPU that is also doing the training.
"""

from __future__ import annotations

import math

import tensorflow as tf


def _affine(batch: int, size: int, max_deg: float, max_shift: float, scale_range: float) -> tf.Tensor:
    """Per-image 8-parameter transforms mapping output pixels to input pixels."""
    ang = tf.random.uniform([batch], -max_deg, max_deg) * (math.pi / 180.0)
    scale = tf.random.uniform([batch], 1.0 - scale_range, 1.0 + scale_range)
    flip = tf.where(tf.random.uniform([batch]) < 0.5, -1.0, 1.0)
    tx = tf.random.uniform([batch], -max_shift, max_shift)
    ty = tf.random.uniform([batch], -max_shift, max_shift)
    c = (size - 1) / 2.0
    cos, sin = tf.cos(ang) / scale, tf.sin(ang) / scale
    a0, a1 = cos * flip, -sin
    b0, b1 = sin * flip, cos
    # input = A @ (out - c) + c + t
    a2 = c - a0 * c - a1 * c + tx
    b2 = c - b0 * c - b1 * c + ty
    zeros = tf.zeros([batch])
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def augment_batch(x: tf.Tensor, size: int = 48, strength: float = 1.0, cutout: float = 0.25) -> tf.Tensor:
    """x: (B, size, size, 1) float in [0, 1] -> augmented batch, same shape and range.

    ``strength`` scales every geometric and photometric range (1.0: the defaults below; a
    lighter final phase helps an under-fitting net), ``cutout`` is the occluder probability.
    """
    batch = tf.shape(x)[0]
    k = strength
    t = _affine(batch, size, max_deg=10.0 * k, max_shift=0.08 * size * k, scale_range=0.1 * k)
    x = tf.raw_ops.ImageProjectiveTransformV3(
        images=x,
        transforms=t,
        output_shape=[size, size],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="REFLECT",
    )
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    contrast = tf.random.uniform([batch, 1, 1, 1], 1.0 - 0.3 * k, 1.0 + 0.3 * k)
    bright = tf.random.uniform([batch, 1, 1, 1], -0.12 * k, 0.12 * k)
    x = (x - mean) * contrast + mean + bright
    # random erasing-lite: occlude a small square in ~25% of faces (hands, glasses, hair).
    return tf.clip_by_value(_cutout(x, size, cutout), 0.0, 1.0)


def _cutout(x: tf.Tensor, size: int, prob: float) -> tf.Tensor:
    batch = tf.shape(x)[0]
    half = size // 8
    cy = tf.random.uniform([batch, 1, 1], 0, size, dtype=tf.int32)
    cx = tf.random.uniform([batch, 1, 1], 0, size, dtype=tf.int32)
    yy = tf.range(size)[None, :, None]
    xx = tf.range(size)[None, None, :]
    box = (tf.abs(yy - cy) < half) & (tf.abs(xx - cx) < half)
    use = tf.random.uniform([batch, 1, 1]) < prob
    mask = tf.cast(box & use, x.dtype)[..., None]
    return x * (1.0 - mask) + mask * tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
