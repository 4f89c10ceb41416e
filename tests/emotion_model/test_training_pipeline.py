"""The TensorFlow half of the training pipeline, end to end on a tiny slice of FER2013.

Why: the shipped models were made by these commands (``models/training/reproduce_v*.sh``), and
a user who retrains runs them too. A broken resume, an export that stops being EdgeTPU-mappable,
a rebuild from ``.tflite`` that no longer matches, or a widening that changes the function would
otherwise only show up hours into a real run. Each step runs as its own process, exactly as the
reproduce scripts call it, on 280 real faces and a deliberately tiny network (seconds per step).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pytest

from tests.emotion_model.training_steps import run_module, step
from today_feeling.inference.edgetpu_compat import check_buffer

REPO_ROOT = Path(__file__).resolve().parents[2]
TINY_WIDTHS = "8,16,16,32"
PER_CLASS = 40

if importlib.util.find_spec("tensorflow") is None:
    if os.environ.get("CI"):
        pytest.fail("CI must install the [train] extra: scripts/setup.sh --dev does", pytrace=False)
    pytest.skip("TensorFlow (the [train] extra) is not installed", allow_module_level=True)

pytestmark = [pytest.mark.slow, pytest.mark.needs_shared]


@pytest.fixture(scope="module")
def tiny_npz(fer2013_npz: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 training faces per class and 70 PublicTest faces, in the shared file's own layout."""
    rng = np.random.default_rng(0)
    with np.load(fer2013_npz) as d:
        pick = np.concatenate(
            [rng.permutation(np.flatnonzero(d["y_train"] == c))[:PER_CLASS] for c in range(7)]
        )
        public = np.arange(70)
        arrays = {
            "x_train": d["x_train"][pick],
            "y_train": d["y_train"][pick],
            "ferplus_votes_train": d["ferplus_votes_train"][pick],
            "x_public": d["x_public"][public],
            "y_public": d["y_public"][public],
            "ferplus_votes_public": d["ferplus_votes_public"][public],
        }
    path = tmp_path_factory.mktemp("data") / "tiny.npz"
    np.savez(path, **arrays)
    return path


@pytest.fixture(scope="module")
def pipeline(tiny_npz: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | str]:
    """train (resumed) -> swa -> export -> from_tflite -> widen -> teacher -> fold_qat -> ensemble."""
    work = tmp_path_factory.mktemp("train")
    run = work / "run"
    common = ("--run", run, "--data", tiny_npz, "--size", "48", "--widths", TINY_WIDTHS)
    common += ("--batch", "32", "--holdout", "0.1", "--seed", "11", "--holdout-seed", "5")
    first = step("train", *common, "--epochs", "1")
    resumed = step("train", *common, "--epochs", "2")
    step("swa", "--run", run, "--epochs", "1", "2", "--data", tiny_npz, "--bn-batches", "2")
    prefix = work / "exported" / "tiny"
    step("export", "--run", run, "--keras", run / "swa.keras", "--data", tiny_npz, "--output", "logits",
          "--calib", "70", "--out", prefix)
    rebuilt = work / "rebuilt.weights.h5"
    rebuild_log = step("from_tflite", prefix, rebuilt, "--data", tiny_npz, "--stat-faces", "200")
    wide = work / "wide.weights.h5"
    widen_log = step("widen", rebuilt, wide, "--from-widths", TINY_WIDTHS, "--to-widths", "12,24,24,48")
    teacher = work / "teacher.npy"
    step("teacher", "--data", tiny_npz, "--ours", f"{prefix}_float.tflite", "--out", teacher)
    folded = work / "folded"
    step("fold_qat", "--run", run, "--keras", run / "swa.keras", "--out", folded, "--epochs", "1",
          "--calib", "70", "--data", tiny_npz)
    folded_prefix = work / "exported" / "tiny_folded"
    step("export", "--run", folded, "--keras", folded / "epoch_001.keras", "--data", tiny_npz,
          "--output", "logits", "--calib", "70", "--out", folded_prefix)
    joined = work / "joined.keras"
    join_log = step("ensemble", run / "swa.keras", folded / "epoch_001.keras", "--out", joined)
    joined_prefix = work / "exported" / "tiny_joined"
    step("export", "--run", run, "--keras", joined, "--data", tiny_npz, "--output", "logits",
          "--calib", "70", "--out", joined_prefix)
    return {
        "joined_prefix": joined_prefix, "join_log": join_log,
        "run": run, "prefix": prefix, "rebuilt": rebuilt, "wide": wide, "teacher": teacher,
        "folded_prefix": folded_prefix,
        "first_log": first, "resumed_log": resumed, "rebuild_log": rebuild_log, "widen_log": widen_log,
    }  # fmt: skip


def test_training_checkpoints_every_epoch_and_resumes(pipeline: dict[str, Path | str]) -> None:
    run = Path(pipeline["run"])
    assert "resuming after epoch 1" in str(pipeline["resumed_log"])
    assert "resuming" not in str(pipeline["first_log"])
    rows = list(csv.DictReader((run / "log.csv").open()))
    assert [int(r["epoch"]) for r in rows] == [1, 2]
    assert all(0.0 <= float(r["holdout_acc"]) <= 1.0 for r in rows)
    assert (run / "epoch_001.weights.h5").is_file() and (run / "epoch_002.weights.h5").is_file()
    assert json.loads((run / "state.json").read_text()) == {"epoch": 2}


def test_holdout_follows_the_holdout_seed_not_the_training_seed(pipeline: dict[str, Path | str]) -> None:
    """Runs with different training seeds must share a hold-out, or ensembles leak."""
    from models.training.data import stratified_holdout

    run = Path(pipeline["run"])
    saved = np.load(run / "holdout_idx.npy")
    y = np.repeat(np.arange(7), PER_CLASS)  # the fixture's class-sorted layout
    assert np.array_equal(saved, stratified_holdout(y, 0.1, 5)[1])
    assert not np.array_equal(saved, stratified_holdout(y, 0.1, 11)[1])


def test_export_writes_edgetpu_mappable_int8_and_a_float_reference(pipeline: dict[str, Path | str]) -> None:
    prefix = str(pipeline["prefix"])
    int8 = Path(f"{prefix}_int8.tflite").read_bytes()
    report = check_buffer(int8, "tiny_int8.tflite")
    assert report.problems == (), report.problems
    assert "CONV_2D" in report.ops and "FULLY_CONNECTED" in report.ops
    assert check_buffer(Path(f"{prefix}_float.tflite").read_bytes()).ops  # a readable flatbuffer
    meta = json.loads(Path(f"{prefix}_export.json").read_text())
    assert meta["output"] == "logits" and meta["temperature"] > 0
    assert meta["train_args"]["widths"] == TINY_WIDTHS
    assert 0.0 <= meta["holdout_int8_float_agreement"] <= 1.0


def test_exported_int8_model_takes_and_gives_int8(pipeline: dict[str, Path | str]) -> None:
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_path=f"{pipeline['prefix']}_int8.tflite")
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    assert list(inp["shape"]) == [1, 48, 48, 1] and inp["dtype"] == np.int8
    assert list(out["shape"]) == [1, 7] and out["dtype"] == np.int8


def test_rebuild_from_tflite_matches_the_file(pipeline: dict[str, Path | str]) -> None:
    """from_tflite exits non-zero above 1e-4; the log carries the measured gap."""
    assert Path(pipeline["rebuilt"]).is_file()
    line = next(x for x in str(pipeline["rebuild_log"]).splitlines() if "max |p_keras - p_tflite|" in x)
    assert float(line.rsplit("=", 1)[1]) < 1e-4


def test_widening_keeps_the_function_and_adds_parameters(pipeline: dict[str, Path | str]) -> None:
    line = next(x for x in str(pipeline["widen_log"]).splitlines() if "params" in x)
    before, after = (int(v) for v in line.split("params ", 1)[1].split(";")[0].split(" -> "))
    assert after > before
    assert float(line.rsplit(" ", 1)[1]) < 1e-3
    assert Path(pipeline["wide"]).is_file()


def test_teacher_writes_one_distribution_per_training_face(pipeline: dict[str, Path | str]) -> None:
    probs = np.load(pipeline["teacher"])
    assert probs.shape == (7 * PER_CLASS, 7)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    report = json.loads(Path(f"{pipeline['teacher']}.json").read_text())["report"]
    assert set(report) == {"ours:tiny_float", "ensemble"}


def test_train_refuses_a_teacher_of_the_wrong_shape(tiny_npz: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "teacher.npy"
    np.save(wrong, np.full((10, 7), 1 / 7, np.float32))
    done = run_module(
        "train", "--run", tmp_path / "run", "--data", tiny_npz, "--teacher", wrong,
        "--epochs", "1", "--widths", TINY_WIDTHS,
    )  # fmt: skip
    assert done.returncode != 0
    assert "expected (280, 7)" in done.stderr


def test_folding_batchnorm_keeps_the_function(pipeline: dict[str, Path | str], tiny_npz: Path) -> None:
    """fold_qat trains the folded graph; folding itself must not change a single prediction."""
    tf = pytest.importorskip("tensorflow")
    from models.training.fold_qat import fold_batchnorm

    model = tf.keras.models.load_model(Path(pipeline["run"]) / "swa.keras", compile=False)
    folded = fold_batchnorm(model)
    assert not any(isinstance(layer, tf.keras.layers.BatchNormalization) for layer in folded.layers)
    with np.load(tiny_npz) as d:
        faces = d["x_public"][:32, :, :, None].astype(np.float32) / 255.0
    np.testing.assert_allclose(folded(faces).numpy(), model(faces, training=False).numpy(), atol=1e-4)


def test_quantization_aware_model_exports_edgetpu_mappable(pipeline: dict[str, Path | str]) -> None:
    prefix = str(pipeline["folded_prefix"])
    report = check_buffer(Path(f"{prefix}_int8.tflite").read_bytes(), "tiny_folded_int8.tflite")
    assert report.problems == (), report.problems
    meta = json.loads(Path(f"{prefix}_export.json").read_text())
    assert meta["train_args"]["fold_qat_epochs"] == "1"


def test_joined_ensemble_is_one_edgetpu_mappable_model(pipeline: dict[str, Path | str]) -> None:
    """Two members become one graph whose logits are their mean (ensemble.py checks to 1e-4)."""
    line = next(x for x in str(pipeline["join_log"]).splitlines() if "mean of members" in x)
    assert "members=2" in line and float(line.rsplit(" ", 1)[1]) < 1e-4
    data = Path(f"{pipeline['joined_prefix']}_int8.tflite").read_bytes()
    report = check_buffer(data, "tiny_joined_int8.tflite")
    assert report.problems == (), report.problems
    assert "CONCATENATION" in report.ops
    assert report.ops.count("CONV_2D") == 2 * check_buffer(
        Path(f"{pipeline['prefix']}_int8.tflite").read_bytes()
    ).ops.count("CONV_2D")


def test_targets_mix_label_ferplus_votes_and_teacher_in_the_documented_shares() -> None:
    """``--ferplus-mix 0.5 --teacher-mix 0.5`` means 0.25 label + 0.25 FER+ + 0.5 teacher (model card)."""
    from models.training.data import Split
    from models.training.train import soft_targets

    rng = np.random.default_rng(3)
    y = np.array([1, 3, 6])
    ferplus = rng.dirichlet(np.ones(7), size=3).astype(np.float32)
    teacher = rng.dirichlet(np.ones(7), size=3).astype(np.float32)
    split = Split(np.zeros((3, 48, 48), np.uint8), y, ferplus)
    idx = np.array([2, 0])
    seven = soft_targets(split, idx, 7, 0.5, teacher=teacher, teacher_mix=0.5)
    expected = 0.25 * np.eye(7)[y[idx]] + 0.25 * ferplus[idx] + 0.5 * teacher[idx]
    np.testing.assert_allclose(seven, expected, atol=1e-6)
    np.testing.assert_allclose(seven.sum(axis=1), 1.0, atol=1e-6)
    six = soft_targets(split, idx, 6, 0.5, teacher=teacher, teacher_mix=0.5)
    np.testing.assert_allclose(six[:, 0], seven[:, 0] + seven[:, 1], atol=1e-6)  # disgust -> anger
    np.testing.assert_allclose(six[:, 1:], seven[:, 2:], atol=1e-6)
