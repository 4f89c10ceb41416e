"""MQTT payload builders: their fields, and agreement with the schemas documented in docs/mqtt.md."""

from __future__ import annotations

import json
import math
from datetime import datetime

import pytest

from today_feeling.config.music import DirectorSettings
from today_feeling.domain.analysis import Face, FrameAnalysis
from today_feeling.domain.controls import ControlState
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.domain.mood import MoodState
from today_feeling.events import (
    AnalysisEvent,
    LibraryScan,
    MoodChanged,
    NextPlanned,
    ProfilesChanged,
    StatsEvent,
    TrackChanged,
)
from today_feeling.mqtt import payloads
from today_feeling.music.director import Director, Pick
from today_feeling.music.space import TrackMood
from today_feeling.profiles.enrolment import EnrolmentSession
from today_feeling.profiles.profile import Profile

HAPPY = (0.02, 0.01, 0.9, 0.02, 0.03, 0.02)


def mood_state(mood: str | None = "happiness", confidence: float = 0.8) -> MoodState:
    return MoodState(mood=mood, confidence=confidence, smoothed=HAPPY,
                     candidate=None, face_present=True, changed=True)


def real_picks() -> list[Pick]:
    """Director picks of every kind: match, lift steps, liked and skipped tracks."""
    tracks = [TrackMood(f"t{v}{a}.flac", v / 2, a / 2, feedback=(("sadness", float(v - a)),))
              for v in range(-2, 3) for a in range(-2, 3)]
    picks = []
    for mode, mood in (("match", "happiness"), ("lift", "sadness")):
        director = Director(DirectorSettings(mode=mode, variety=0.0), lambda: 100.0)  # type: ignore[arg-type]
        director.on_mood(mood)
        for _ in range(3):
            pick = director.pick(tracks)
            assert pick is not None
            director.note_played(pick.track.file)
            picks.append(pick)
    return picks


def analysis_event(faces: int = 1) -> AnalysisEvent:
    face = Face(box=(0, 0, 100, 100), score=0.93, keypoints=(), probs=HAPPY)
    frame = FrameAnalysis(index=3, t=1.0, faces=(face,) * faces,
                          primary=face if faces else None)
    return AnalysisEvent(frame, mood_state(), wall_time=1_700_000_000.5)


def test_emotion_payload_schema() -> None:
    data = json.loads(payloads.encode(payloads.emotion_payload(analysis_event())))
    assert set(data) == {"label", "probs", "faces", "face_score", "ts"}
    assert data["label"] == "happiness"
    assert list(data["probs"]) == list(EMOTIONS)
    assert math.isclose(sum(data["probs"].values()), 1.0, abs_tol=1e-3)
    assert data["faces"] == 1
    assert data["face_score"] == pytest.approx(0.93)
    assert data["ts"] == 1_700_000_000.5


def test_emotion_payload_without_face() -> None:
    data = payloads.emotion_payload(analysis_event(faces=0))
    assert data["label"] is None
    assert data["probs"] is None
    assert data["faces"] == 0


def test_mood_payload_since_is_iso_utc() -> None:
    event = MoodChanged(previous="neutral", state=mood_state(), wall_time=1_700_000_000.0)
    data = payloads.mood_payload(event)
    assert data["mood"] == "happiness"
    assert data["previous"] == "neutral"
    assert datetime.fromisoformat(data["since"]).timestamp() == 1_700_000_000.0
    assert data["since"].endswith("+00:00")
    assert data["confidence"] == 0.8


def test_track_and_stats_payloads() -> None:
    track = payloads.track_payload(TrackChanged(file="a.mp3", artist="A", title="T",
                                                valence=0.7, reason="lift", wall_time=5.0))
    assert track == {"file": "a.mp3", "artist": "A", "title": "T", "valence": 0.7,
                     "arousal": None, "reason": "lift", "why": None, "ts": 5.0}
    stats = payloads.stats_payload(StatsEvent(fps=7.456, stage_ms={"detect": 12.345},
                                              cpu_temp_c=float("nan"), wall_time=6.0))
    assert json.loads(payloads.encode(stats)) == {
        "fps": 7.46, "stage_ms": {"detect": 12.35}, "accelerator": "cpu", "cpu_temp_c": None,
        "uptime_s": 0.0, "ts": 6.0}


def test_state_values() -> None:
    values = payloads.state_values(ControlState(privacy=True, mode="lift", volume=40))
    assert values == {"privacy": "ON", "paused": "OFF", "mode": "lift", "volume": 40,
                      "quiet_hours": "off", "profile": "none"}
    assert payloads.state_values(ControlState(profile="민지"))["profile"] == "민지"
    assert payloads.state_values(ControlState(quiet_hours="22:00-07:00"))["quiet_hours"] == "22:00-07:00"


def test_docs_have_a_schema_per_payload_and_every_schema_requires_ts() -> None:
    from tests.mqtt.schemas import documented_schemas

    schemas = documented_schemas()
    assert set(schemas) == {"emotion", "mood", "track", "next", "stats", "state", "services", "library",
                            "profiles", "enrol"}
    for schema in schemas.values():
        assert "ts" in schema["required"]


def test_builders_match_the_documented_schemas() -> None:
    from tests.mqtt.schemas import check

    check("emotion", payloads.emotion_payload(analysis_event()))
    check("emotion", payloads.emotion_payload(analysis_event(faces=0)))
    check("mood", payloads.mood_payload(MoodChanged("neutral", mood_state(), 1.0)))
    check("mood", payloads.no_mood_payload(1.0))
    check("track", payloads.track_payload(TrackChanged(file="a", valence=0.1, wall_time=1.0)))
    for pick in real_picks():
        check("track", payloads.track_payload(TrackChanged(file=pick.track.file, reason=pick.reason,
                                                           why=pick.why, wall_time=1.0)))
        upcoming = payloads.next_payload(NextPlanned(after="a", file=pick.track.file,
                                                     reason=pick.reason, why=pick.why, wall_time=2.0))
        check("next", json.loads(payloads.encode(upcoming)))
    check("next", payloads.no_next_payload(1.0))
    assert payloads.no_next_payload(1.0)["file"] is None
    check("stats", json.loads(payloads.encode(payloads.stats_payload(StatsEvent(fps=1.0)))))
    check("library", payloads.library_payload(LibraryScan(True, 3, 12, wall_time=1.0)))
    done = payloads.library_payload(LibraryScan(False, 0, 0, wall_time=2.0))
    check("library", done)
    assert (done["state"], done["percent"]) == ("idle", 100.0)
    for value in payloads.state_values(ControlState(volume=3)).values():
        check("state", payloads.state_payload(value, 1.0))
    summary = Profile("ana", "emotion_today_feeling_v5", "ab" * 32, 1.0).summary()
    check("profiles", payloads.profiles_payload(ProfilesChanged("ana", (summary,), True, "hi", 1.0)))
    check("profiles", payloads.profiles_payload(ProfilesChanged("", ({"name": "x", "error": "corrupt"},),
                                                                False, "", 1.0)))
    session = EnrolmentSession("ana", 3.0, "e1")
    check("enrol", {**session.view(), "ts": 1.0})
    session.capture("anger", 10.0)
    check("enrol", {**session.view(), "ts": 1.0})
