"""Profile files: private, atomic, bounded, model-pinned, corrupt ones reported."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import numpy as np
import pytest

from today_feeling.domain.emotions import EMOTIONS
from today_feeling.domain.profile_names import check_profile_name
from today_feeling.errors import ProfileError, ProfileMissingError
from today_feeling.profiles.profile import Profile, Sample
from today_feeling.profiles.store import ProfileStore

KEY, SHA = "emotion_today_feeling_v5", "ab" * 32


def sample(t: float, emotion: str, batch: str = "b1", source: str = "enrol") -> Sample:
    vector = np.linspace(0, 1, 384, dtype=np.float32) * (1 + EMOTIONS.index(emotion))
    return Sample(t, EMOTIONS.index(emotion), source, batch, vector)


def test_saved_profile_is_private_and_reads_back(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles")
    profile = Profile("민지", KEY, SHA, created=1.0).add([sample(2.0, "anger"), sample(3.0, "fear")], 10)
    path = store.save(profile)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    loaded = store.load("민지")
    assert [s.emotion for s in loaded.samples] == [0, 1]
    np.testing.assert_allclose(loaded.samples[0].embedding, profile.samples[0].embedding, atol=1e-3)
    assert store.names() == ["민지"]
    assert not list(path.parent.glob("*.tmp"))


def test_no_image_data_in_the_file(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    doc = json.loads(store.save(Profile("ana", KEY, SHA, 1.0).add([sample(2, "anger")], 5)).read_text())
    assert set(doc) == {"format", "name", "model", "created", "samples"}
    assert set(doc["samples"][0]) == {"t", "emotion", "source", "batch", "embedding_f16"}


def test_oldest_samples_go_first_per_expression() -> None:
    profile = Profile("ana", KEY, SHA, 0.0)
    profile = profile.add([sample(float(t), "anger") for t in range(10)], max_per_emotion=4)
    profile = profile.add([sample(20.0, "fear")], max_per_emotion=4)
    anger_times = [s.t for s in profile.samples if s.emotion == 0]
    assert anger_times == [6.0, 7.0, 8.0, 9.0]
    assert len(profile.samples) == 5


def test_a_profile_from_another_model_is_refused_with_what_to_do() -> None:
    profile = Profile("ana", KEY, SHA, 0.0)
    profile.check_model(KEY, SHA)
    with pytest.raises(ProfileError, match=r"made with emotion model .* delete ana"):
        profile.check_model(KEY, "cd" * 32)


@pytest.mark.parametrize("content", ["{not json", '{"format": 1, "name": "ana"}',
                                     '{"format": 9, "name": "ana", "samples": []}'])
def test_a_corrupt_file_is_reported_with_its_path(tmp_path: Path, content: str) -> None:
    (tmp_path / "ana.json").write_text(content)
    with pytest.raises(ProfileError, match=r"ana\.json"):
        ProfileStore(tmp_path).load("ana")


def test_a_missing_profile_names_the_known_ones(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save(Profile("bo", KEY, SHA, 0.0))
    with pytest.raises(ProfileMissingError, match="known: bo"):
        store.load("ana")


def test_delete_removes_every_trace(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save(Profile("ana", KEY, SHA, 0.0).add([sample(1, "anger")], 5))
    assert store.delete("ana")
    assert list(tmp_path.iterdir()) == []
    assert not store.delete("ana")


def test_undo_removes_one_correction_batch() -> None:
    profile = Profile("ana", KEY, SHA, 0.0).add(
        [sample(1, "anger"), sample(2, "fear", "c1", "correction"), sample(3, "fear", "c2", "correction")], 9)
    assert [c["id"] for c in profile.corrections()] == ["c1", "c2"]
    assert [c["id"] for c in profile.without_batch("c1").corrections()] == ["c2"]


@pytest.mark.parametrize("bad", ["../etc", ".hidden", "a/b", "", "none", "x" * 40, "_x"])
def test_names_that_could_escape_or_mean_nothing_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"profile name|reserved"):
        check_profile_name(bad)


def test_a_name_typed_on_a_mac_is_the_same_person() -> None:
    import unicodedata
    assert check_profile_name(unicodedata.normalize("NFD", "민지")) == "민지"
