"""Pure parts: topics, payload builders, command validation, discovery and settings."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime

import pytest

from today_feeling.config.mqtt import MqttSettings
from today_feeling.config.music import DirectorSettings
from today_feeling.domain.analysis import Face, FrameAnalysis
from today_feeling.domain.controls import Controls, ControlState
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.domain.mood import MoodState
from today_feeling.events import (
    AnalysisEvent,
    LibraryScan,
    MoodChanged,
    NextPlanned,
    ProfileRequest,
    ProfilesChanged,
    StatsEvent,
    TrackChanged,
)
from today_feeling.identity import topic_level
from today_feeling.mqtt import payloads
from today_feeling.mqtt.commands import Command, CommandError, apply_command, parse_command, profile_request
from today_feeling.mqtt.discovery import discovery_message, with_profile_options
from today_feeling.mqtt.topics import Topics, client_id_for
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


# -- topics -------------------------------------------------------------------------------

def test_topics_follow_prefix_and_device() -> None:
    t = Topics.create("today_feeling", "kitchen")
    assert t.availability == "today_feeling/kitchen/availability"
    assert t.command("privacy") == "today_feeling/kitchen/privacy/set"
    assert t.command_filter == "today_feeling/kitchen/+/set"
    assert t.discovery_config == "homeassistant/device/kitchen/config"
    assert t.ha_status == "homeassistant/status"


@pytest.mark.parametrize(("topic", "feature"), [
    ("today_feeling/kitchen/privacy/set", "privacy"),
    ("today_feeling/kitchen/bogus/set", "bogus"),
    ("today_feeling/kitchen/privacy", None),
    ("today_feeling/kitchen//set", None),
    ("today_feeling/other/privacy/set", None),
    ("today_feeling/kitchen/a/b/set", None),
])
def test_command_feature(topic: str, feature: str | None) -> None:
    assert Topics.create("today_feeling", "kitchen").command_feature(topic) == feature


def test_device_ids_are_sanitised_and_client_ids_stable_and_distinct() -> None:
    assert topic_level("living room/+#") == "living_room___"
    assert client_id_for("abc", "pw") == client_id_for("abc", "pw")  # stable across restarts
    assert re.fullmatch(r"today_feeling-abc-[0-9a-f]{10}", client_id_for("abc", "pw"))
    assert client_id_for("abc", "pw") != client_id_for("abd", "pw")
    assert client_id_for("abc", "pw") != client_id_for("abc", "other")  # unguessable without the secret
    long_a, long_b = "x" * 100 + "a", "x" * 100 + "b"
    assert len(client_id_for(long_a, "pw")) <= 64
    assert client_id_for(long_a, "pw") != client_id_for(long_b, "pw")


# -- payloads -----------------------------------------------------------------------------

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


# -- commands -----------------------------------------------------------------------------

@pytest.mark.parametrize(("feature", "payload", "value"), [
    ("privacy", b"ON", True), ("privacy", b" off\n", False), ("paused", b"on", True),
    ("mode", b"LIFT", "lift"), ("volume", b"55", 55), ("volume", b"55.0", 55),
    ("volume", b"0", 0), ("volume", b"100", 100), ("next", b"PRESS", None), ("next", b"", None),
    ("feedback", b"UP", "like"), ("feedback", b" down\n", "dislike"), ("feedback", b"Like", "like"),
    ("feedback", b"dislike", "dislike"), ("quiet_hours", b"22:00-07:00", "22:00-07:00"),
    ("quiet_hours", b" 7:05 - 9:30 ", "07:05-09:30"), ("quiet_hours", b"OFF", ""),
    ("profile", "민지".encode(), "민지"), ("profile", b"None", ""), ("profile", b"", ""),
    ("correction", b"Angry", "anger"), ("correction", b"happiness", "happiness"),
    ("correction_undo", b"LAST", "last"), ("correction_undo", b"c1764-ab12", "c1764-ab12"),
    ("profile_delete", b"ana", "ana"), ("enrol", "BEGIN 민지".encode(), "begin 민지"),
    ("enrol", b"capture sad", "capture sadness"), ("enrol", b"FINISH", "finish"),
    ("enrol", b"cancel", "cancel"),
])
def test_valid_commands(feature: str, payload: bytes, value: object) -> None:
    assert parse_command(feature, payload, 256) == Command(feature, value)  # type: ignore[arg-type]


@pytest.mark.parametrize(("feature", "payload"), [
    ("privacy", b"maybe"), ("privacy", b"\xff\xfe"), ("privacy", b"O\x00N"), ("mode", b"party"),
    ("volume", b"101"), ("volume", b"-1"), ("volume", b"55.5"), ("volume", b"nan"),
    ("volume", b"inf"), ("volume", b"loud"), ("bogus", b"ON"), (None, b"ON"),
    ("privacy", b"ON" * 200), ("next", b"x" * 300), ("feedback", b"sideways"), ("feedback", b""),
    ("feedback", b"UP" * 200), ("quiet_hours", b"25:00-07:00"), ("quiet_hours", b"tonight"),
    ("quiet_hours", b"22:00"), ("profile", b"../../etc/passwd"), ("profile", b"a" * 40),
    ("correction", b"contempt"), ("correction_undo", b"x;rm"), ("profile_delete", b"none"),
    ("profile_delete", b".."), ("enrol", b"begin"), ("enrol", b"capture joyish"), ("enrol", b"dance"),
])
def test_invalid_commands_are_rejected(feature: str | None, payload: bytes) -> None:
    with pytest.raises(CommandError):
        parse_command(feature, payload, 256)


def test_apply_command_updates_controls_and_triggers_actions() -> None:
    controls, actions = Controls(), []
    controls.subscribe_actions(actions.append)
    apply_command(Command("privacy", True), controls)
    apply_command(Command("volume", 30), controls)
    apply_command(Command("next", None), controls)
    apply_command(Command("feedback", "dislike"), controls)
    assert controls.state.privacy is True
    assert controls.state.volume == 30
    assert actions == ["next", "dislike"]


def test_every_state_command_reaches_its_control() -> None:
    controls = Controls()
    for feature, payload in (("paused", b"ON"), ("mode", b"Lift"), ("quiet_hours", b"22:00-07:00"),
                             ("profile", b"mina")):
        apply_command(parse_command(feature, payload, 256), controls)
    state = controls.state
    assert (state.paused, state.mode, state.quiet_hours, state.profile) == (True, "lift", "22:00-07:00",
                                                                          "mina")


def test_a_command_that_is_no_control_change_is_refused_not_stored() -> None:
    controls = Controls()
    with pytest.raises(CommandError, match="not a control change"):
        apply_command(Command("volume", True), controls)  # bool is an int, but not a volume
    assert controls.state == ControlState()


def test_profile_commands_become_requests_for_the_profiles_runtime() -> None:
    assert profile_request(Command("correction", "anger")) == ProfileRequest("correct", "anger")
    assert profile_request(Command("correction_undo", "last")) == ProfileRequest("undo", "last")
    assert profile_request(Command("profile_delete", "ana")) == ProfileRequest("delete", "ana")
    assert profile_request(Command("enrol", "begin 민지")) == ProfileRequest("enrol_begin", "민지")
    assert profile_request(Command("enrol", "finish")) == ProfileRequest("enrol_finish", "")
    assert profile_request(Command("profile", "ana")) is None  # a control: Controls.profile


def test_the_listener_select_learns_profile_names() -> None:
    message = discovery_message(Topics.create("today_feeling", "kitchen"), "Kitchen")
    assert message.payload["cmps"]["profile"]["options"] == ["none"]
    updated = with_profile_options(message, ["ana", "민지"])
    assert updated.payload["cmps"]["profile"]["options"] == ["none", "ana", "민지"]
    assert message.payload["cmps"]["profile"]["options"] == ["none"]  # the original is untouched


# -- discovery ----------------------------------------------------------------------------

def test_discovery_message_has_device_origin_availability_and_components() -> None:
    message = discovery_message(Topics.create("today_feeling", "kitchen"), "Kitchen speaker")
    assert message.topic == "homeassistant/device/kitchen/config"
    assert message.retain
    p = message.payload
    assert {"device", "origin", "availability", "cmps"} <= set(p)
    assert p["device"]["identifiers"] == ["today_feeling_kitchen"]
    assert p["device"]["name"] == "Kitchen speaker"
    assert p["origin"]["name"] == "today-feeling"
    assert p["availability"][0]["topic"] == "today_feeling/kitchen/availability"
    platforms = {cid: c["p"] for cid, c in p["cmps"].items()}
    assert platforms == {"emotion": "sensor", "mood": "sensor", "track": "sensor",
                         "library": "sensor", "privacy": "switch", "paused": "switch",
                         "mode": "select", "next": "button", "like": "button",
                         "dislike": "button", "quiet_hours": "text", "volume": "number",
                         "profile": "select", "correction": "select",
                         "correction_undo": "button"}
    pattern = re.compile(p["cmps"]["quiet_hours"]["pattern"])
    assert pattern.match("off") and pattern.match("22:00-07:00") and not pattern.match("late")
    thumbs = {p["cmps"][c]["payload_press"] for c in ("like", "dislike")}
    assert thumbs == {"UP", "DOWN"}
    assert p["cmps"]["like"]["command_topic"] == "today_feeling/kitchen/feedback/set"
    ids = [c["unique_id"] for c in p["cmps"].values()]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("today_feeling_kitchen_") for i in ids)
    assert p["cmps"]["emotion"]["json_attributes_topic"] == "today_feeling/kitchen/emotion"
    assert p["cmps"]["mode"]["options"] == ["match", "lift", "off"]
    for c in p["cmps"].values():
        assert "command_topic" in c or "state_topic" in c
    json.dumps(p)  # serialisable


def test_discovery_ids_differ_between_devices() -> None:
    a = discovery_message(Topics.create("today_feeling", "a"), "A").payload["cmps"]
    b = discovery_message(Topics.create("today_feeling", "b"), "B").payload["cmps"]
    assert not {c["unique_id"] for c in a.values()} & {c["unique_id"] for c in b.values()}


# -- settings -----------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["mqtt://broker", "mqtts://broker:8884", "mqtt://user@10.0.0.2:1883"])
def test_valid_urls(url: str) -> None:
    assert MqttSettings(url=url).url == url


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"url": "http://broker"}, "mqtt://"),
    ({"url": "mqtt://"}, "no host"),
    ({"url": "mqtt://u:secret@broker"}, "password"),
    ({"url": "mqtt://broker:99999"}, "port"),
    ({"topic_prefix": "a/+/b"}, "topic_prefix"),
    ({"topic_prefix": ""}, "topic_prefix"),
    ({"reconnect_min_s": 5.0, "reconnect_max_s": 1.0}, "reconnect_max_s"),
    ({"cert_file": "/c.pem"}, "key_file"),
    ({"ws_url": "http://x"}, "ws_url"),
])
def test_invalid_settings(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        MqttSettings(**kwargs)  # type: ignore[arg-type]


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


def test_build_service_is_none_without_url() -> None:
    from today_feeling.config.settings import Settings
    from today_feeling.events import EventBus
    from today_feeling.mqtt import build_service

    assert build_service(Settings(), EventBus(), Controls()) is None
