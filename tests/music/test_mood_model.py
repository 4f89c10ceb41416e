"""The learned music-mood model: real recordings in, points on the plane out; bad files refused."""

from __future__ import annotations

import csv
import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from today_feeling.config.settings import ModelSettings
from today_feeling.errors import ModelError
from today_feeling.music.decode import DecodeError
from today_feeling.music.demo import default_tracks, write_track
from today_feeling.music.mood_model import LearnedPoint, load_configured, load_music_model

EMBEDDER, HEAD = ModelSettings().music, ModelSettings().music_head


@pytest.fixture(scope="module")
def music_4q(shared_dir: Path) -> tuple[Path, list[dict[str, str]]]:
    folder = shared_dir / "datasets" / "music_4q_dev"
    if not (folder / "labels.csv").is_file():
        pytest.skip(f"{folder} is absent")
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as handle:
        return folder, list(csv.DictReader(handle))


def own_models(models_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the music model files and the manifest, safe to damage."""
    target = tmp_path / "models"
    target.mkdir()
    for name in ("manifest.toml", "musicnn_msd_float.tflite", "music_mood_head_4q.json"):
        shutil.copyfile(models_dir / name, target / name)
    return target


@pytest.mark.needs_shared
def test_calm_sad_recordings_land_low_and_energetic_happy_ones_high(
        models_dir: Path, music_4q: tuple[Path, list[dict[str, str]]]) -> None:
    folder, rows = music_4q
    model = load_music_model(models_dir, EMBEDDER, HEAD)
    points = {q: np.array([model.place_file(folder / r["file"], None, 45.0)
                           for r in rows if r["quadrant"] == q][:6]) for q in ("Q1", "Q3")}
    assert np.all(np.abs(np.concatenate(list(points.values()))) <= 1.0)
    happy, sad = points["Q1"].mean(axis=0), points["Q3"].mean(axis=0)
    assert happy[0] > sad[0] + 0.3  # valence
    assert happy[1] > sad[1] + 0.5  # arousal


def test_the_model_reads_audio_it_has_never_seen(models_dir: Path, tmp_path: Path) -> None:
    model = load_music_model(models_dir, EMBEDDER, HEAD)
    spec = default_tracks(2)[0]
    path = tmp_path / "demo.flac"
    write_track(spec, path, 8.0)
    valence, arousal = model.place_file(path, 8.0, 45.0)
    assert -1.0 <= valence <= 1.0 and -1.0 <= arousal <= 1.0
    with pytest.raises(DecodeError):
        model.place_file(tmp_path / "missing.flac", None, 45.0)


def test_a_head_fitted_on_another_embedder_is_refused(models_dir: Path, tmp_path: Path) -> None:
    folder = own_models(models_dir, tmp_path)
    head = folder / "music_mood_head_4q.json"
    data = json.loads(head.read_text())
    data["embedder_sha256"] = "0" * 64
    head.write_text(json.dumps(data))
    with pytest.raises(ModelError, match="fitted on another embedder"):
        load_music_model(folder, EMBEDDER, HEAD)


def test_an_unusable_model_falls_back_to_features_with_a_warning(
        models_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = own_models(models_dir, tmp_path)
    (folder / "music_mood_head_4q.json").write_text("{not json")
    with caplog.at_level(logging.WARNING):
        assert load_configured(ModelSettings(dir=str(folder))) is None
    assert "music_mood_head_4q.json is unreadable" in caplog.text
    assert load_configured(ModelSettings(dir=str(folder), music="")) is None
    with pytest.raises(ModelError, match="known: music_musicnn_msd"):
        load_music_model(folder, "music_nope", HEAD)


def test_a_refitted_head_changes_the_fingerprint_so_the_next_scan_replaces_tracks(
        models_dir: Path, tmp_path: Path) -> None:
    folder = own_models(models_dir, tmp_path)
    before = load_music_model(folder, EMBEDDER, HEAD)
    head = folder / "music_mood_head_4q.json"
    data = json.loads(head.read_text())
    data["bias"] = [b + 0.1 for b in data["bias"]]
    head.write_text(json.dumps(data))
    after = load_music_model(folder, EMBEDDER, HEAD)
    assert before.key == after.key == EMBEDDER
    assert before.fingerprint != after.fingerprint


def test_the_sticker_text_round_trips() -> None:
    point = LearnedPoint("music_musicnn_msd", -0.25, 0.5)
    assert LearnedPoint.parse(point.describe()) == point
    assert LearnedPoint.parse("bpm=120 db=-14 centroid=2000 mode=0.1 v2") is None
