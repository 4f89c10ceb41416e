"""Photo folders for ``faces crop``: class-folder names (English, AIHub Korean), layout, exit 66.

No model is loaded here: which photos a folder holds and how they are labelled is decided
before any pixel is read. The cropping itself runs on real photos and models in
tests/inference/test_photo_crops.py.
"""

from __future__ import annotations

import logging
import stat
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from today_feeling import cli
from today_feeling.domain.emotions import FER2013_CLASSES, UNLABELLED, fer_id_for_folder
from today_feeling.errors import EX_NOINPUT
from today_feeling.inference.photo_crops import (
    EX_CANTCREAT,
    CropResult,
    NoFacesError,
    OutputError,
    check_output,
    write_crops,
)
from today_feeling.photo_folder import NoPhotosError, scan_photos


@pytest.mark.parametrize(("name", "expected"), [
    ("anger", "anger"), ("Angry", "anger"), ("disgust", "disgust"), ("disgusted", "disgust"),
    ("fear", "fear"), ("fearful", "fear"), ("scared", "fear"), ("happy", "happiness"),
    ("HAPPINESS", "happiness"), ("sad", "sadness"), ("surprised", "surprise"), ("neutral", "neutral"),
    ("calm", "neutral"), (" joy ", "happiness"),
    ("기쁨", "happiness"), ("분노", "anger"), ("슬픔", "sadness"), ("중립", "neutral"),
    ("불안", "fear"), ("당황", "surprise"), ("상처", "sadness"),
])
def test_folder_names_map_to_fer2013_ids(name: str, expected: str) -> None:
    assert fer_id_for_folder(name) == FER2013_CLASSES.index(expected)


def test_korean_names_match_when_macos_decomposed_them() -> None:
    decomposed = unicodedata.normalize("NFD", "기쁨")
    assert decomposed != "기쁨"
    assert fer_id_for_folder(decomposed) == FER2013_CLASSES.index("happiness")


@pytest.mark.parametrize("name", ["contempt", "misc", "기타", "", "7"])
def test_other_folder_names_name_no_class(name: str) -> None:
    assert fer_id_for_folder(name) is None


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")  # scanning never reads pixels, so empty files do
    return path


def test_scan_labels_class_folders_and_leaves_loose_photos_unlabelled(tmp_path, caplog) -> None:
    for rel in ("b.jpg", "a.PNG", "notes.txt", ".hidden.jpg", "기쁨/x.jpg", "기쁨/._x.jpg",
                "기쁨/session1/y.jpeg", "angry/z.webp", "misc/m.jpg", "other/n.jpg", ".git/c.jpg"):
        touch(tmp_path / rel)
    touch(tmp_path / unicodedata.normalize("NFD", "슬픔") / "s.jpg")
    with caplog.at_level(logging.WARNING):
        folder = scan_photos(tmp_path)
    labels = {p.source: p.label for p in folder.photos}
    sad = unicodedata.normalize("NFD", "슬픔") + "/s.jpg"
    assert labels == {"a.PNG": UNLABELLED, "b.jpg": UNLABELLED, "angry/z.webp": 0,
                      "기쁨/x.jpg": 3, "기쁨/session1/y.jpeg": 3, sad: 4}
    assert [p.source for p in folder.photos] == sorted(labels)
    assert folder.unknown_folders == ("misc", "other")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "misc, other" in warnings[0].getMessage()


def test_scan_refuses_a_missing_folder_and_one_without_photos(tmp_path) -> None:
    with pytest.raises(NoPhotosError) as missing:
        scan_photos(tmp_path / "absent")
    assert missing.value.exit_code == EX_NOINPUT
    touch(tmp_path / "notes.txt")
    touch(tmp_path / "misc" / "m.jpg")  # only in a folder that names no class
    with pytest.raises(NoPhotosError, match="holds no photos"):
        scan_photos(tmp_path)


def test_cli_exits_66_before_loading_models_and_writes_nothing(tmp_path, capsys) -> None:
    out = tmp_path / "faces.npz"
    # A models folder that does not exist: reaching the models would fail differently.
    args = ["faces", "crop", str(tmp_path / "absent"), str(out), "--models-dir", str(tmp_path / "none")]
    assert cli.main(args) == EX_NOINPUT
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    args[2] = str(tmp_path / "empty")
    assert cli.main(args) == EX_NOINPUT
    assert not out.exists()


def test_faces_needs_a_subcommand(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["faces"])
    assert exc.value.code == 2
    assert "crop" in capsys.readouterr().err


def test_output_must_be_writable_where_asked(tmp_path) -> None:
    with pytest.raises(OutputError) as exc:
        check_output(tmp_path / "no" / "such" / "faces.npz")
    assert exc.value.exit_code == EX_CANTCREAT
    with pytest.raises(OutputError, match="is a folder"):
        check_output(tmp_path)


def test_write_is_owner_only_and_leaves_no_temp_file(tmp_path) -> None:
    out = tmp_path / "faces.npz"
    crops = [np.full((48, 48), v, dtype=np.uint8) for v in (10, 200)]
    write_crops(out, CropResult(crops, [3, UNLABELLED], ["기쁨/a.jpg", "b.jpg"]))
    assert [p.name for p in tmp_path.iterdir()] == ["faces.npz"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # face crops are personal data
    with np.load(out) as data:  # no pickles: readable with allow_pickle=False
        assert data["x"].shape == (2, 48, 48) and data["x"].dtype == np.uint8
        assert data["y"].tolist() == [3, 255] and data["y"].dtype == np.uint8
        assert data["source"].tolist() == ["기쁨/a.jpg", "b.jpg"]


def test_nothing_is_written_without_a_crop(tmp_path) -> None:
    out = tmp_path / "faces.npz"
    out.write_bytes(b"an earlier file")
    with pytest.raises(NoFacesError):
        write_crops(out, CropResult(no_face=["gray.png"]))
    assert out.read_bytes() == b"an earlier file"
    assert [p.name for p in tmp_path.iterdir()] == ["faces.npz"]
