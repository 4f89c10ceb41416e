"""The build side of the music-mood model: conversion from the pinned wheel, head fitting."""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from models.music.head import fit_head, grouped_folds, out_of_fold_points
from models.music.placement_metrics import auc, placement_report, quadrant_of
from models.music.train_head import GridPoint, choose, signs_of

from today_feeling.inference.runtime import make_interpreter
from today_feeling.music.demo import default_tracks, synthesise
from today_feeling.music.melspec import log_mel, patches

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "models" / "music" / "musicnn_msd_float.tflite"


def test_grouped_folds_never_split_an_artist_and_cover_every_track() -> None:
    groups = np.array([f"artist{i % 13}" for i in range(100)])
    seen = np.zeros(100, dtype=int)
    for train, test in grouped_folds(groups, 5, seed=3):
        assert not set(groups[train]) & set(groups[test])
        seen[test] += 1
    assert np.all(seen == 1)


def test_a_head_learns_separable_quadrants_and_sharpness_keeps_the_signs() -> None:
    rng = np.random.default_rng(0)
    quadrants = np.array(["Q1", "Q2", "Q3", "Q4"] * 50)
    signs = signs_of(quadrants)
    x = np.hstack([signs * 2.0, rng.standard_normal((200, 6))]) + rng.standard_normal((200, 8)) * 0.5
    groups = np.array([f"a{i // 4}" for i in range(200)])
    plain = out_of_fold_points(x, signs, groups, l2=0.1, sharpness=1.0)
    sharp = out_of_fold_points(x, signs, groups, l2=0.1, sharpness=2.0)
    assert placement_report(plain, quadrants).quadrant_accuracy > 0.9
    assert np.array_equal(quadrant_of(plain), quadrant_of(sharp))
    assert np.all(np.abs(sharp) <= np.abs(plain) + 1e-12)  # pulled toward the middle
    head = fit_head(x, signs, 0.1, 2.0)
    assert head.to_json()["sharpness"] == 2.0
    assert auc(np.array([0.1, 0.9, 0.8]), np.array([False, True, True])) == 1.0


def test_choose_prefers_reachable_targets_within_a_point_of_the_best_accuracy() -> None:
    def point(l2: float, accuracy: float, near: float, reach: float) -> GridPoint:
        return GridPoint(l2, 1.0, accuracy, 0.8, 0.9, 0.5, near, near, {}, reach)

    grid = [point(0.01, 0.72, 0.60, 0.4), point(0.1, 0.715, 0.75, 0.45),
            point(0.3, 0.70, 0.90, 0.45), point(1.0, 0.718, 0.95, 0.6)]
    assert choose(grid).l2 == 0.1  # 0.3 is too inaccurate, 1.0 leaves a target unreachable


@pytest.mark.slow
def test_the_shipped_embedder_is_what_convert_builds_from_the_pinned_wheel() -> None:
    if importlib.util.find_spec("tensorflow") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install the [train] extra: scripts/setup.sh --dev does", pytrace=False)
        pytest.skip("TensorFlow (the [train] extra) is not installed")
    from models.music.convert import embedder, load_checkpoint
    from models.music.musicnn_graph import build

    audio = synthesise(default_tracks(3)[2], 12.0)[::2]  # 22.05 kHz demo audio, roughly 11 kHz
    batch = patches(log_mel(audio), 3)
    with tempfile.TemporaryDirectory() as tmp:
        keras_model = embedder(build(load_checkpoint(Path(tmp))))
    expected = keras_model(batch, training=False).numpy()
    interpreter = make_interpreter(SHIPPED, None, "cpu", 1).interpreter
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    for patch, want in zip(batch, expected, strict=True):
        interpreter.set_tensor(inp["index"], patch[None])
        interpreter.invoke()
        assert np.abs(interpreter.get_tensor(out["index"])[0] - want).max() < 1e-4
