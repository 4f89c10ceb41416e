"""Training on a user's own data: folder-per-class trees (AIHub Korean names) and crops .npz files.

Why: issue 18 asks that a user who owns a differently licensed set (like the AIHub set the original
project used) can retrain end to end: train, then export with int8 calibration and the temperature
fitted on *their* faces (export used to read the FER2013 file whatever the run had trained on), and
get a model the daemon loads. The end-to-end test builds a tiny tree with the AIHub folder names
from real FER2013 faces, runs train and export as processes exactly as the model card's commands
do, and loads the result through the daemon's EmotionClassifier.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import unicodedata
from pathlib import Path

import cv2
import numpy as np
import pytest
from models.training.data import (
    AIHUB_FOLDERS,
    FER2013_CLASSES,
    FOLDER_ALIASES,
    folder_label,
    load_own_data,
    run_data_folder,
)

from tests.emotion_model.training_steps import run_module, step

REPO_ROOT = Path(__file__).resolve().parents[2]
# AIHub folder -> the FER2013 class whose faces fill it here (two folders land on sadness).
KOREAN_FOLDERS = {"기쁨": 3, "분노": 0, "슬픔": 4, "중립": 6, "불안": 2, "당황": 5, "상처": 4}
PER_FOLDER = 10
HOLDOUT = 0.1
SMALLEST = ("--widths", "8,8,16,16", "--repeats", "1,1,1,1")


def _nfd(name: str) -> str:
    return unicodedata.normalize("NFD", name)


# --- the loaders (numpy + OpenCV only) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "english", "fer_class"),
    [
        ("기쁨", "joy", "happiness"),
        ("분노", "anger", "anger"),
        ("슬픔", "sadness", "sadness"),
        ("중립", "neutral", "neutral"),
        ("불안", "anxiety", "fear"),
        ("당황", "embarrassment", "surprise"),
        ("상처", "hurt", "sadness"),
    ],
)
def test_aihub_folder_names_map_to_the_documented_class(folder: str, english: str, fer_class: str) -> None:
    """Both Unicode forms: macOS file systems hand out decomposed (NFD) Hangul."""
    assert AIHUB_FOLDERS[folder] == (english, FER2013_CLASSES.index(fer_class))
    assert _nfd(folder) != folder
    assert FER2013_CLASSES[folder_label(folder)] == fer_class
    assert FER2013_CLASSES[folder_label(_nfd(folder))] == fer_class
    assert folder_label(f"{folder}x") is None


def test_training_reads_class_folders_as_the_daemon_s_faces_crop_does() -> None:
    """`faces crop` labels photos by the same folder names; the two must never disagree."""
    from today_feeling.domain import emotions

    daemon = getattr(emotions, "fer_id_for_folder", None)
    if daemon is None:
        pytest.skip("this checkout's daemon has no fer_id_for_folder (faces crop) yet")
    names = set(FOLDER_ALIASES) | set(emotions.FOLDER_ALIASES) | set(emotions.EMOTION_ALIASES)
    names |= set(FER2013_CLASSES) | {_nfd(name) for name in AIHUB_FOLDERS} | {"Happy", " sad ", "기타"}
    assert {n: folder_label(n) for n in names} == {n: daemon(n) for n in names}


def test_card_table_lists_exactly_the_korean_mapping() -> None:
    """models/emotion/README.md's table is what users read; it must say what data.py does."""
    card = (REPO_ROOT / "models/emotion/README.md").read_text(encoding="utf-8")
    section = card.split("## Training on your own data", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| ([^|]+?) \| `(\w+)` \|", section, flags=re.MULTILINE)
    documented = {name: (english.strip(), FER2013_CLASSES.index(cls)) for name, english, cls in rows}
    assert documented == AIHUB_FOLDERS


def test_crops_npz_drops_unlabelled_faces_and_reads_colour(tmp_path: Path) -> None:
    """`today-feeling faces crop` writes y = 255 for faces nobody has labelled yet."""
    rng = np.random.default_rng(1)
    gray = rng.integers(0, 256, (5, 64, 64), dtype=np.uint8)
    np.savez(tmp_path / "crops.npz", x=gray, y=np.array([3, 255, 0, 255, 6]))
    split = load_own_data(tmp_path / "crops.npz")
    assert split.x.shape == (3, 48, 48) and split.x.dtype == np.uint8
    assert split.y.tolist() == [3, 0, 6]
    expected = cv2.resize(gray[2], (48, 48), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(split.x[1], expected)

    colour = np.repeat(gray[:, :48, :48, None], 3, axis=3)
    np.savez(tmp_path / "colour.npz", x=colour, y=np.array([1, 2, 255, 4, 5]))
    split = load_own_data(tmp_path / "colour.npz")
    assert split.y.tolist() == [1, 2, 4, 5]
    np.testing.assert_array_equal(split.x[0], gray[0, :48, :48])

    np.savez(tmp_path / "none.npz", x=gray[:2], y=np.array([255, 255]))
    with pytest.raises(ValueError, match="no labelled faces"):
        load_own_data(tmp_path / "none.npz")
    with pytest.raises(ValueError, match="neither a folder"):
        load_own_data(tmp_path / "missing")


def test_later_steps_read_the_data_the_run_trained_on() -> None:
    assert run_data_folder(None, {"folder": "/data/aihub"}) == "/data/aihub"
    assert run_data_folder("/data/other", {"folder": "/data/aihub"}) == "/data/other"
    assert run_data_folder(None, {"folder": None}) is None
    assert run_data_folder(None, {}) is None  # args.json of runs from before --folder: FER2013


# --- end to end: train -> export -> daemon ------------------------------------------------------


@pytest.fixture(scope="module")
def tensorflow_available() -> None:
    if importlib.util.find_spec("tensorflow") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install the [train] extra: scripts/setup.sh --dev does", pytrace=False)
        pytest.skip("TensorFlow (the [train] extra) is not installed")


def _write_png(path: Path, face: np.ndarray) -> None:
    ok, png = cv2.imencode(".png", face)
    assert ok
    path.write_bytes(png.tobytes())


@pytest.fixture(scope="module")
def korean_tree(fer2013_npz: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10 real faces per AIHub folder (중립 spelled in NFD, as macOS writes it), plus an unknown folder."""
    root = tmp_path_factory.mktemp("aihub") / "faces"
    rng = np.random.default_rng(0)
    with np.load(fer2013_npz) as d:
        x, y = d["x_train"], d["y_train"]
    used: set[int] = set()
    for name, fer_id in KOREAN_FOLDERS.items():
        folder = root / (_nfd(name) if name == "중립" else name)
        folder.mkdir(parents=True)
        pool = [int(i) for i in rng.permutation(np.flatnonzero(y == fer_id)) if int(i) not in used]
        for k, i in enumerate(pool[:PER_FOLDER]):
            used.add(i)
            nested = folder / f"person{k % 2}"  # class folders may nest people or sessions
            nested.mkdir(exist_ok=True)
            _write_png(nested / f"{k:03d}.png", x[i])
    (root / "기타").mkdir()  # "other": not a class, skipped with a warning
    _write_png(root / "기타" / "000.png", x[0])
    (root / "기쁨" / "labels.json").write_text("{}")  # stray non-image file
    _write_png(root / "기쁨" / "._000.png", x[0])  # hidden (macOS AppleDouble name): skipped
    return root


def _expected_calibration_per_class() -> dict[str, int]:
    """Every training (non-hold-out) face: the default --calib 700 allows 100 per class."""
    per_class = dict.fromkeys(FER2013_CLASSES, 0)
    for fer_id in KOREAN_FOLDERS.values():
        per_class[FER2013_CLASSES[fer_id]] += PER_FOLDER
    return {name: n - round(n * HOLDOUT) for name, n in per_class.items()}


@pytest.fixture(scope="module")
def exported(
    tensorflow_available: None, korean_tree: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path | str]:
    """The model card's commands on the Korean tree: train 1 epoch, swa (folder from the run), export."""
    work = tmp_path_factory.mktemp("own")
    run = work / "run"
    train_log = step(
        "train", "--run", run, "--folder", korean_tree, "--size", "48", *SMALLEST, "--epochs", "1",
        "--batch", "16", "--holdout", str(HOLDOUT), "--seed", "3",
    )  # fmt: skip
    swa_log = step("swa", "--run", run, "--epochs", "1", "--bn-batches", "2")
    prefix = work / "out" / "own"
    export_log = step(
        "export", "--run", run, "--keras", run / "swa.keras", "--folder", korean_tree,
        "--output", "logits", "--out", prefix,
    )  # fmt: skip
    logs = {"train_log": train_log, "swa_log": swa_log, "export_log": export_log}
    return {"run": run, "prefix": prefix, **logs}


@pytest.mark.slow
@pytest.mark.needs_shared
def test_own_folder_trains_exports_full_int8_calibrated_on_it_and_runs_in_the_daemon(
    exported: dict[str, Path | str], korean_tree: Path
) -> None:
    from ai_edge_litert.interpreter import Interpreter

    from today_feeling.inference.edgetpu_compat import check_buffer
    from today_feeling.inference.emotion import EmotionClassifier
    from today_feeling.inference.runtime import make_interpreter
    from today_feeling.model_store.manifest import ModelEntry
    from today_feeling.model_store.registry import sha256_of

    faces = len(KOREAN_FOLDERS) * PER_FOLDER
    assert f"folder dataset {korean_tree}: {faces} images" in str(exported["train_log"])
    assert "skipping folder" in str(exported["train_log"]) and "기타" in str(exported["train_log"])
    assert f"folder dataset {korean_tree}: {faces} images" in str(exported["swa_log"])  # from args.json
    assert "holdout_acc" in str(exported["swa_log"]) and "public_acc" not in str(exported["swa_log"])

    prefix = str(exported["prefix"])
    int8 = Path(f"{prefix}_int8.tflite")
    report = check_buffer(int8.read_bytes(), int8.name)
    assert report.problems == (), report.problems  # full int8, static shapes, EdgeTPU ops only
    assert "CONV_2D" in report.ops and "FULLY_CONNECTED" in report.ops
    it = Interpreter(model_path=str(int8))
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    assert list(inp["shape"]) == [1, 48, 48, 1] and inp["dtype"] == np.int8
    assert list(out["shape"]) == [1, 7] and out["dtype"] == np.int8

    meta = json.loads(Path(f"{prefix}_export.json").read_text())
    assert meta["data"] == {"folder": str(korean_tree)}
    assert meta["train_args"]["folder"] == str(korean_tree)
    assert meta["data_faces"] == faces
    expected = _expected_calibration_per_class()
    assert meta["calibration_per_class"] == expected
    assert meta["calibration_faces_used"] == sum(expected.values()) == faces - meta["holdout_faces"]
    assert f"int8 calibration on {sum(expected.values())} faces from {korean_tree}" in str(
        exported["export_log"]
    )
    assert meta["temperature"] > 0 and meta["output"] == "logits"

    entry = ModelEntry(
        key="emotion_own_aihub", file=int8.name, sha256=sha256_of(int8), kind="emotion",
        input_shape=(1, 48, 48, 1), input_dtype="int8", pixel_scale=1 / 255, pixel_offset=0.0,
        output="logits", labels=FER2013_CLASSES, licence="the training data's", source={"type": "file"},
    )  # fmt: skip
    classifier = EmotionClassifier(make_interpreter(int8, None, "cpu", 1), entry, mirror_average=True)
    assert classifier.crop_size == 48
    crops = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in sorted(korean_tree.glob("*/*/*.png"))[:8]]
    crops.append(cv2.resize(crops[0], (96, 96)))  # a larger aligned crop is resized by the daemon
    for crop in crops:
        probs = classifier.classify(crop)
        assert probs.shape == (6,) and np.isfinite(probs).all()
        assert probs.min() >= 0 and probs.sum() == pytest.approx(1.0, abs=1e-4)


@pytest.mark.slow
@pytest.mark.needs_shared
def test_export_refuses_data_the_run_did_not_train_on(
    exported: dict[str, Path | str], korean_tree: Path, tmp_path: Path
) -> None:
    """Another tree would put training faces in the temperature's hold-out; say so, write nothing."""
    other = tmp_path / "other"
    for sub in korean_tree.iterdir():
        if sub.name != "상처":
            (other / sub.name).mkdir(parents=True)
            for png in sub.rglob("*.png"):
                (other / sub.name / png.name).write_bytes(png.read_bytes())
    done = run_module("export", "--run", exported["run"], "--folder", other, "--out", tmp_path / "x")
    assert done.returncode != 0
    assert "is not what" in done.stderr and "holdout_idx.npy" in done.stderr
    assert not list(tmp_path.glob("x_*"))
