"""Putting models on a Coral: every model compiled or none starts; compiled files verified."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from tests.support.settings import settings_for
from today_feeling.errors import AcceleratorError, ModelError
from today_feeling.inference.build import require_compiled
from today_feeling.model_store.fetch import fetch_model, verify_all
from today_feeling.model_store.manifest import PACKAGED_MANIFEST, load_manifest
from today_feeling.model_store.registry import sha256_of

REPO = Path(__file__).resolve().parents[2]
CORAL_MODELS = {"short_detector": "blazeface_short_int8", "full_detector": "blazeface_full_int8"}


def test_edgetpu_with_the_float_detectors_names_every_model_that_cannot_go(models_dir: Path) -> None:
    settings = settings_for(models_dir, inference={"accelerator": "edgetpu"})
    with pytest.raises(AcceleratorError) as raised:
        require_compiled(settings)
    message = str(raised.value)
    assert "blazeface_short is a float model (set models.short_detector = 'blazeface_short_int8')" in message
    assert "blazeface_full is a float model (set models.full_detector = 'blazeface_full_int8')" in message
    assert "emotion_today_feeling_v5 has no today_feeling_emotion_v5_int8_edgetpu.tflite" in message
    assert raised.value.exit_code == 69


def test_edgetpu_starts_loading_once_every_model_has_its_compiled_file(models_dir: Path,
                                                                       tmp_path: Path) -> None:
    for item in models_dir.iterdir():
        shutil.copy(item, tmp_path / item.name)
    settings = settings_for(tmp_path, inference={"accelerator": "edgetpu"}, models=CORAL_MODELS)
    manifest = load_manifest(tmp_path / "manifest.toml")
    wanted = ["blazeface_short_int8", "blazeface_full_int8", "emotion_today_feeling_v5"]
    for key in wanted[:-1]:  # stand-ins for compiled files: only their presence is checked here
        shutil.copy(tmp_path / manifest[key].file, tmp_path / str(manifest[key].edgetpu_file))
    with pytest.raises(AcceleratorError, match="emotion_today_feeling_v5 has no"):
        require_compiled(settings)
    entry = manifest[wanted[-1]]
    shutil.copy(tmp_path / entry.file, tmp_path / str(entry.edgetpu_file))
    require_compiled(settings)  # the delegate itself is tried (and refused here) by the loader


def test_auto_runs_an_uncompiled_model_on_the_cpu_instead_of_refusing(models_dir: Path) -> None:
    require_compiled(settings_for(models_dir, models=CORAL_MODELS))  # no *_edgetpu.tflite there


def _repo_entry(tmp_path: Path, edgetpu_sha256: str | None):  # type: ignore[no-untyped-def]
    entry = load_manifest(PACKAGED_MANIFEST)["blazeface_short_int8"]
    src = tmp_path / "repo" / str(entry.source["path"])
    src.parent.mkdir(parents=True)
    shutil.copy(REPO / str(entry.source["path"]), src)
    compiled = src.parent / str(entry.edgetpu_file)
    compiled.write_bytes(b"stands in for edgetpu_compiler output")
    return dataclasses.replace(entry, edgetpu_sha256=edgetpu_sha256), compiled


def test_fetch_copies_a_compiled_file_only_when_the_manifest_names_its_sha256(tmp_path: Path) -> None:
    entry, compiled = _repo_entry(tmp_path, edgetpu_sha256=None)
    out = tmp_path / "models"
    with pytest.raises(ModelError, match="no edgetpu_sha256"):
        fetch_model(entry, out, repo_root=tmp_path / "repo")
    wrong = dataclasses.replace(entry, edgetpu_sha256="0" * 64)
    with pytest.raises(ModelError, match="does not match the manifest edgetpu_sha256"):
        fetch_model(wrong, out, repo_root=tmp_path / "repo")
    right = dataclasses.replace(entry, edgetpu_sha256=sha256_of(compiled))
    fetch_model(right, out, repo_root=tmp_path / "repo")
    assert (out / str(entry.edgetpu_file)).read_bytes() == compiled.read_bytes()
    assert verify_all({entry.key: right}, out) == []
    (out / str(entry.edgetpu_file)).write_bytes(b"tampered")
    assert verify_all({entry.key: right}, out) == [
        f"{entry.key}: {out / str(entry.edgetpu_file)} does not match the manifest edgetpu_sha256"]
