"""The profiles runtime: activation, a corrupt or foreign profile, corrections, undo, delete,
guided enrolment with its quality gates — real files, real bus and Controls, a fake clock."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from tests.support.clock import ManualClock
from today_feeling.config.profiles import ProfilesSettings
from today_feeling.domain.analysis import Face
from today_feeling.domain.controls import Controls, ControlState
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.events import EnrolmentProgress, EventBus, ProfileRequest, ProfilesChanged
from today_feeling.profiles import quality
from today_feeling.profiles.profile import Profile, Sample
from today_feeling.profiles.runtime import Personalisation
from today_feeling.profiles.store import ProfileStore

KEY, SHA = "emotion_today_feeling_v5", "ab" * 32
DIM = 384
CENTRE = np.zeros(DIM, dtype=np.float32)
SHARP_CROP = np.random.default_rng(1).integers(0, 256, (48, 48), dtype=np.uint8)
FLAT_CROP = np.full((48, 48), 128, dtype=np.uint8)
BASE = np.array([0.1, 0.1, 0.1, 0.1, 0.1, 0.5], dtype=np.float32)


def direction(emotion: str) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[EMOTIONS.index(emotion) * 10:(EMOTIONS.index(emotion) + 1) * 10] = 1.0
    return v


def frontal_face(width: float = 120.0) -> Face:
    x0, y0 = 100.0, 100.0
    eyes_y = y0 + width * 0.35
    keypoints = ((x0 + width * 0.3, eyes_y), (x0 + width * 0.7, eyes_y), (x0 + width * 0.5, y0 + width * 0.6),
                 (x0 + width * 0.5, y0 + width * 0.8), (x0, eyes_y), (x0 + width, eyes_y))
    return Face((x0, y0, x0 + width, y0 + width), 0.9, keypoints, track_id=1)


class Rig:
    def __init__(self, tmp: Path, active: str = "") -> None:
        self.store = ProfileStore(tmp / "profiles")
        self.bus, self.clock = EventBus(), ManualClock(1_000_000.0)
        self.controls = Controls(ControlState(profile=active))
        self.changes: list[ProfilesChanged] = []
        self.progress: list[dict[str, object]] = []
        self.bus.subscribe(ProfilesChanged, self.changes.append)
        self.bus.subscribe(EnrolmentProgress, lambda e: self.progress.append(e.state))
        self.runtime = Personalisation(ProfilesSettings(enrol_seconds=2.0), self.store, model_key=KEY,
                                       model_sha256=SHA, centre=CENTRE, bus=self.bus,
                                       controls=self.controls, wall_clock=self.clock)

    def save(self, name: str, emotions: tuple[str, ...] = tuple(EMOTIONS), sha: str = SHA) -> None:
        samples = [Sample(1.0, EMOTIONS.index(e), "enrol", "e1", direction(e)) for e in emotions]
        self.store.save(Profile(name, KEY, sha, 0.0, tuple(samples)))

    def see(self, emotion: str, faces: int = 1, crop: np.ndarray = SHARP_CROP, width: float = 120) -> None:
        self.runtime.observe(frontal_face(width), faces, crop, direction(emotion))
        self.clock.now += 0.25


def test_no_profile_returns_the_model_s_own_probabilities(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    rig.runtime.start()
    assert rig.runtime.calibrate(BASE, direction("anger"), primary=True) is BASE


def test_the_active_profile_calibrates_the_listener_only(tmp_path: Path) -> None:
    rig = Rig(tmp_path, active="ana")
    rig.save("ana")
    rig.runtime.start()
    calibrated = rig.runtime.calibrate(BASE, direction("anger"), primary=True)
    assert EMOTIONS[int(calibrated.argmax())] == "anger"
    assert rig.runtime.calibrate(BASE, direction("anger"), primary=False) is BASE  # group_policy primary
    assert rig.changes[-1].active == "ana"


@pytest.mark.parametrize("damage", ["corrupt", "foreign"])
def test_an_unusable_profile_leaves_the_daemon_uncalibrated_with_one_clear_line(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str) -> None:
    rig = Rig(tmp_path, active="ana")
    if damage == "corrupt":
        rig.store.directory.mkdir(parents=True)
        rig.store.path("ana").write_text('{"format": 1, "name": "ana", "samples": [{"t": 1}]}')
    else:
        rig.save("ana", sha="cd" * 32)
    with caplog.at_level(logging.ERROR, logger="today_feeling.profiles.runtime"):
        rig.runtime.start()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "running uncalibrated" in errors[0].getMessage()
    assert ("corrupt" if damage == "corrupt" else "made with emotion model") in errors[0].getMessage()
    assert rig.controls.state.profile == ""
    assert rig.runtime.calibrate(BASE, direction("anger"), primary=True) is BASE


def test_a_correction_labels_the_last_seconds_and_can_be_undone(tmp_path: Path) -> None:
    rig = Rig(tmp_path, active="ana")
    rig.save("ana", emotions=("anger", "neutral"))
    rig.runtime.start()
    rig.clock.now += 60  # an old face must not be swept into the correction
    rig.see("fear")
    rig.clock.now += 10
    for _ in range(4):
        rig.see("fear")
    rig.bus.publish(ProfileRequest("correct", "fear"))
    profile = rig.store.load("ana")
    corrections = profile.corrections()
    assert len(corrections) == 1
    assert corrections[0]["emotion"] == "fear"
    assert corrections[0]["samples"] == 4
    assert rig.changes[-1].profiles[0]["corrections"] == corrections
    assert EMOTIONS[int(rig.runtime.calibrate(BASE, direction("fear"), primary=True).argmax())] == "fear"
    rig.bus.publish(ProfileRequest("undo", "last"))
    assert rig.store.load("ana").corrections() == []


def test_delete_forgets_the_person_and_stops_calibrating(tmp_path: Path) -> None:
    rig = Rig(tmp_path, active="ana")
    rig.save("ana")
    rig.runtime.start()
    rig.bus.publish(ProfileRequest("delete", "ana"))
    assert not rig.store.path("ana").exists()
    assert rig.controls.state.profile == ""
    assert rig.runtime.calibrate(BASE, direction("anger"), primary=True) is BASE


def test_guided_enrolment_gates_faces_and_ends_with_an_active_profile(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    rig.runtime.start()
    rig.bus.publish(ProfileRequest("enrol_begin", "민지"))
    rig.bus.publish(ProfileRequest("enrol_capture", "anger"))
    for _ in range(6):
        rig.see("anger")
    rig.clock.now += 1.0
    rig.runtime.tick()
    assert rig.progress[-1]["done"] == ["anger"]
    rig.bus.publish(ProfileRequest("enrol_capture", "fear"))
    for _ in range(6):
        rig.see("fear", faces=2)  # someone else in view: nothing may be learned
    rig.clock.now += 1.0
    rig.runtime.tick()
    assert rig.progress[-1]["done"] == ["anger"]
    assert quality.MANY_FACES in str(rig.progress[-1]["message"])
    rig.bus.publish(ProfileRequest("enrol_finish"))
    assert rig.controls.state.profile == "민지"
    doc = json.loads(rig.store.path("민지").read_text())
    assert {s["emotion"] for s in doc["samples"]} == {"anger"}
    assert all(set(s) == {"t", "emotion", "source", "batch", "embedding_f16"} for s in doc["samples"])
    assert rig.changes[-1].active == "민지"


def test_quality_gates_say_what_to_fix() -> None:
    assert quality.rejection(frontal_face(), 1, SHARP_CROP, 64) is None
    assert quality.rejection(frontal_face(40), 1, SHARP_CROP, 64) == quality.TOO_SMALL
    assert quality.rejection(frontal_face(), 1, FLAT_CROP, 64) == quality.BLURRED
    face = frontal_face()
    turned = Face(face.box, face.score, (face.keypoints[0], face.keypoints[1],
                                         (face.keypoints[1][0], face.keypoints[2][1]), *face.keypoints[3:]))
    assert quality.rejection(turned, 1, SHARP_CROP, 64) == quality.NOT_FRONTAL


def test_enrolment_in_privacy_mode_says_why_and_a_bad_request_is_answered(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    rig.runtime.start()
    rig.controls.update(privacy=True)
    rig.bus.publish(ProfileRequest("enrol_begin", "ana"))
    rig.bus.publish(ProfileRequest("enrol_capture", "anger"))
    assert "privacy mode is on" in str(rig.progress[-1]["message"])
    assert rig.progress[-1]["state"] == "refused"
    assert rig.progress[-1]["name"] == "ana"
    rig.bus.publish(ProfileRequest("correct", "anger"))  # no profile is active
    assert "choose who is listening" in rig.changes[-1].message


def test_a_profile_deleted_from_a_shell_is_not_brought_back_by_a_correction(tmp_path: Path) -> None:
    rig = Rig(tmp_path, active="ana")
    rig.save("ana")
    rig.runtime.start()
    rig.see("fear")
    assert rig.store.delete("ana")  # `today-feeling profile delete ana` while the daemon runs
    rig.bus.publish(ProfileRequest("correct", "fear"))
    assert not rig.store.path("ana").exists()
    assert rig.controls.state.profile == ""
    assert "was deleted" in rig.changes[-1].message
