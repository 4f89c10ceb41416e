"""Profiles on real faces through the real model: v5's embedding output, enrolment from
labelled crops, predictions changed for that person only, models without an embedding refused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.fixtures.daemon import cli
from today_feeling.config.schema import replace_path
from today_feeling.config.settings import Settings
from today_feeling.domain.emotions import fer_labels_to_product
from today_feeling.inference.build import build_classifier
from today_feeling.inference.edgetpu_compat import check_model
from today_feeling.inference.emotion import EmotionClassifier
from today_feeling.model_store.manifest import PACKAGED_MANIFEST, load_manifest
from today_feeling.profiles.calibrated import CalibratedClassifier
from today_feeling.profiles.profile import Profile, Sample


def classifier_for(models_dir: Path, key: str = "emotion_today_feeling_v5") -> EmotionClassifier:
    settings = replace_path(replace_path(Settings(), "models.dir", str(models_dir)), "models.emotion", key)
    return build_classifier(settings)


@pytest.fixture(scope="module")
def ckplus(shared_dir: Path) -> dict[str, np.ndarray]:
    path = shared_dir / "datasets" / "ckplus48_subjects.npz"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    with np.load(path) as data:
        keep = data["in_fer7"]
        return {k: data[k][keep] for k in ("x", "y", "subject", "sequence")}


def test_v5_exposes_an_embedding_and_its_centre_and_stays_edgetpu_mappable(models_dir: Path) -> None:
    entry = load_manifest(PACKAGED_MANIFEST)["emotion_today_feeling_v5"]
    classifier = classifier_for(models_dir)
    assert classifier.embeds
    assert classifier.embedding_centre is not None and classifier.embedding_centre.shape == (384,)
    assert float(classifier.embedding_centre.min()) >= 0.0  # a mean of ReLU features
    report = check_model(models_dir / entry.file)
    assert report.ok, report.problems
    face = np.full((48, 48), 120, dtype=np.uint8)
    probs, embedding = classifier.classify_with_embedding(face)
    assert embedding is not None and embedding.shape == (384,)
    np.testing.assert_array_equal(probs, classifier.classify(face))


def test_models_without_an_embedding_cannot_take_profiles(models_dir: Path, tmp_path: Path) -> None:
    assert not classifier_for(models_dir, "emotion_fer_minixception").embeds
    assert not classifier_for(models_dir, "emotion_today_feeling_v4").embeds
    np.savez(tmp_path / "one.npz", x=np.full((1, 48, 48), 120, np.uint8), y=np.array([3]))
    config = tmp_path / "config.toml"
    config.write_text(f'[models]\ndir = "{models_dir}"\nemotion = "emotion_fer_minixception"\n'
                      f'[profiles]\ndir = "{tmp_path}/profiles"\n')
    result = subprocess.run([*cli(), "profile", "enroll", "ana", str(tmp_path / "one.npz"), "--config",
                             str(config)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 65
    assert "no embedding output" in result.stderr
    assert not (tmp_path / "profiles").exists()


def test_a_profile_changes_that_person_s_predictions_and_nothing_without_it(
        models_dir: Path, ckplus: dict[str, np.ndarray]) -> None:
    classifier = classifier_for(models_dir)
    assert classifier.embedding_centre is not None
    subjects = sorted(set(ckplus["subject"]))
    person = next(s for s in subjects if len(set(ckplus["y"][ckplus["subject"] == s])) >= 4)
    mine = np.where(ckplus["subject"] == person)[0]
    labels = fer_labels_to_product(ckplus["y"])
    enrol = [i for i in mine if i == mine[ckplus["sequence"][mine] == ckplus["sequence"][i]][0]]
    samples = []
    for i in enrol:  # the first frame of each of the person's sequences
        embedding = classifier.classify_with_embedding(ckplus["x"][i])[1]
        assert embedding is not None
        samples.append(Sample(float(i), int(labels[i]), "import", "b", embedding))
    profile = Profile(person, classifier.entry.key, classifier.entry.sha256, 0.0).add(samples, 40)
    adapter = profile.adapter(classifier.embedding_centre)
    assert adapter is not None
    calibrated = CalibratedClassifier(classifier, adapter)
    test = [i for i in mine if i not in enrol]
    base = np.stack([classifier.classify(ckplus["x"][i]) for i in test])
    with_profile = np.stack([calibrated.raw_probs(ckplus["x"][i]) for i in test])
    assert np.abs(with_profile - base).max() > 0.05  # the profile moves this person's probabilities
    right = (with_profile.argmax(1) == labels[test]).mean()
    assert right >= (base.argmax(1) == labels[test]).mean()  # enrolled expressions: never worse
    again = np.stack([classifier.classify(ckplus["x"][i]) for i in test])
    np.testing.assert_array_equal(again, base)  # the classifier itself is untouched


def test_enroll_from_crops_reports_counts_and_list_shows_them(
        models_dir: Path, ckplus: dict[str, np.ndarray], tmp_path: Path) -> None:
    person = sorted(set(ckplus["subject"]))[1]
    mine = ckplus["subject"] == person
    np.savez(tmp_path / "crops.npz", x=ckplus["x"][mine], y=ckplus["y"][mine])
    config = tmp_path / "config.toml"
    config.write_text(f'[models]\ndir = "{models_dir}"\n[profiles]\ndir = "{tmp_path}/profiles"\n')
    run = [*cli()]
    enrolled = subprocess.run([*run, "profile", "enroll", person, str(tmp_path / "crops.npz"),
                               "--config", str(config), "--json"],
                              capture_output=True, text=True, timeout=120, check=False)
    assert enrolled.returncode == 0, enrolled.stderr
    assert json.loads(enrolled.stdout)["added"] == int(mine.sum())
    listed = subprocess.run([*run, "profile", "list", "--config", str(config), "--json"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert [row["name"] for row in json.loads(listed.stdout)] == [person]
    deleted = subprocess.run([*run, "profile", "delete", person, "--config", str(config)],
                             capture_output=True, text=True, timeout=60, check=False)
    assert deleted.returncode == 0
    assert list((tmp_path / "profiles").iterdir()) == []
