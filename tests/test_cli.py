"""The CLI contract: detect, bench and models on real media, and their error messages."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import cv2
import numpy as np

from tests.media import media
from today_feeling.config.settings import Settings
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.model_store.manifest import PACKAGED_MANIFEST, load_manifest


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "today_feeling", *args], capture_output=True,
                          text=True, timeout=timeout, check=False)


def test_detect_json_on_a_folder_is_one_object_per_image_in_name_order(tmp_path, models_dir) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    for target, name in (("b.jpg", "0-f1-su-ph.jpg"), ("a.jpg", "0-f15-hao-ph.jpg")):
        shutil.copy(media(name), folder / target)
    result = cli("detect", str(folder), "--json", "--models-dir", str(models_dir))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"] for r in records] == ["a.jpg", "b.jpg"]
    assert [r["frame"] for r in records] == [0, 1]
    for record in records:
        assert set(record) == {"frame", "t", "faces", "mood", "source"}
        (face,) = record["faces"]
        assert set(face) == {"box", "score", "emotion", "probs"}
        assert list(face["probs"]) == list(EMOTIONS)
        assert len(face["box"]) == 4 and 0.0 < face["score"] <= 1.0
    assert records[0]["faces"][0]["emotion"] == "happiness"
    assert records[1]["faces"][0]["emotion"] == "surprise"


def test_detect_video_commits_a_mood_on_media_time(models_dir) -> None:
    result = cli("detect", str(media("WolfgangLanger_Pexels.mp4")), "--json",
                 "--models-dir", str(models_dir))
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) > 400
    assert records[-1]["t"] > 15.0
    assert records[0]["mood"] is None and records[-1]["mood"] in EMOTIONS


def test_annotate_draws_on_the_image(tmp_path, models_dir) -> None:
    out = tmp_path / "annotated.png"
    photo = media("0-f15-hao-ph.jpg")
    result = cli("detect", str(photo), "--annotate", str(out), "--models-dir", str(models_dir))
    assert result.returncode == 0, result.stderr
    original, drawn = cv2.imread(str(photo)), cv2.imread(str(out))
    assert drawn.shape == original.shape
    assert np.count_nonzero(np.any(drawn != original, axis=2)) > 1000


def test_bench_reports_every_stage(models_dir) -> None:
    result = cli("bench", str(media("single_face.mp4")), "--json", "--threads", "1",
                 "--models-dir", str(models_dir))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["frames"] == 72 and report["fps"] > 0
    assert set(report["stages"]) == {"capture", "detect", "align", "classify", "total"}
    assert all(v["median_ms"] > 0 and v["p95_ms"] >= v["median_ms"] for v in report["stages"].values())
    assert report["peak_rss_mb"] > 10 and report["threads"] == 1


def test_missing_model_file_names_it_and_the_fix(tmp_path, models_dir) -> None:
    default_emotion = load_manifest(PACKAGED_MANIFEST)[Settings().models.emotion].file
    for item in models_dir.iterdir():
        if item.name != default_emotion:
            shutil.copy(item, tmp_path / item.name)
    result = cli("detect", str(media("single_face.jpg")), "--models-dir", str(tmp_path))
    assert result.returncode == 66
    assert default_emotion in result.stderr
    assert "today-feeling models fetch" in result.stderr


def test_unopenable_source_is_a_clear_error(tmp_path, models_dir) -> None:
    result = cli("detect", str(tmp_path / "nothing.mp4"), "--models-dir", str(models_dir))
    assert result.returncode == 66
    assert "nothing.mp4" in result.stderr and "does not exist" in result.stderr
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00" * 1000)
    result = cli("detect", str(broken), "--models-dir", str(models_dir))
    assert result.returncode == 66 and "cannot open video source" in result.stderr


def test_models_verify_reports_what_is_missing(tmp_path) -> None:
    result = cli("models", "verify", "--dir", str(tmp_path))
    assert result.returncode == 1
    assert "blazeface_short: missing" in result.stdout
