"""JSON payload builders for every published topic (pure: events in, dicts out).

The schema of each payload is documented in docs/mqtt.md; every payload has ``ts``,
the Unix time at which the fact was observed on the device.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from today_feeling.domain.controls import ControlState
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.domain.pick_reason import PickWhy
from today_feeling.events import (
    AnalysisEvent,
    LibraryScan,
    MoodChanged,
    NextPlanned,
    ProfilesChanged,
    ServiceStatus,
    StatsEvent,
    TrackChanged,
)

Payload = dict[str, Any]
#: ``emotion``'s label while privacy mode has the camera closed.
PRIVACY_LABEL = "privacy"


def encode(payload: Payload) -> bytes:
    """Compact UTF-8 JSON; NaN/inf become null so every consumer can parse it."""
    return json.dumps(_finite(payload), separators=(",", ":"), ensure_ascii=False).encode()


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def iso_utc(epoch: float) -> str:
    """ISO-8601 with an explicit UTC offset (what Home Assistant's timestamp sensors expect)."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat()


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def probs_dict(probs: tuple[float, ...] | None) -> dict[str, float] | None:
    if probs is None or len(probs) != len(EMOTIONS):
        return None
    return {name: round(float(p), 4) for name, p in zip(EMOTIONS, probs, strict=True)}


def emotion_payload(event: AnalysisEvent) -> Payload:
    """The primary face's reading in one analysed frame."""
    face = event.analysis.primary
    return {
        "label": None if face is None else face.emotion,
        "probs": None if face is None else probs_dict(face.probs),
        "faces": len(event.analysis.faces),
        "face_score": None if face is None else _r(face.score),
        "ts": event.wall_time,
    }


def privacy_emotion_payload(now: float) -> Payload:
    """What ``emotion`` says while the camera is closed: an explicit state, not silence (which
    Home Assistant would show as "unavailable" after ``expire_after``, like a fault)."""
    return {"label": PRIVACY_LABEL, "probs": None, "faces": 0, "face_score": None, "ts": now}


def mood_payload(event: MoodChanged) -> Payload:
    return {
        "mood": event.state.mood,
        "previous": event.previous,
        "since": iso_utc(event.wall_time) if event.state.mood is not None else None,
        "confidence": _r(event.state.confidence),
        "ts": event.wall_time,
    }


def no_mood_payload(now: float) -> Payload:
    """Published at start-up: a new run has no committed mood yet (clears a stale one)."""
    return {"mood": None, "previous": None, "since": None, "confidence": 0.0, "ts": now}


def why_payload(why: PickWhy | None) -> Payload | None:
    """A pick's reasons as codes (docs/mqtt.md), for pages that say them in their language."""
    return None if why is None else why.as_dict()


def _track_fields(event: TrackChanged | NextPlanned) -> Payload:
    """What ``track`` and ``next`` say alike about one track and why it was picked."""
    return {
        "file": event.file or None,
        "artist": event.artist,
        "title": event.title,
        "valence": _r(event.valence),
        "arousal": _r(event.arousal),
        "reason": event.reason,
        "why": why_payload(event.why),
        "ts": event.wall_time,
    }


def track_payload(event: TrackChanged) -> Payload:
    return {**_track_fields(event), "file": event.file}


def next_payload(event: NextPlanned) -> Payload:
    """``<base>/next``: the pick waiting behind a track that no longer fits the mood."""
    return {"after": event.after, **_track_fields(event)}


def no_next_payload(now: float) -> Payload:
    """Published at start-up: nothing is known to be queued (clears a previous run's pick)."""
    return next_payload(NextPlanned(after="", wall_time=now))


#: Events each kept as one retained topic: (event type, topic name under <base>/, builder).
RETAINED_EVENTS: tuple[tuple[type[Any], str, Callable[[Any], Payload]], ...] = (
    (MoodChanged, "mood", mood_payload),
    (TrackChanged, "track", track_payload),
    (NextPlanned, "next", next_payload),
)


def library_payload(event: LibraryScan) -> Payload:
    percent = 100.0 if not event.total else 100.0 * event.done / event.total
    return {
        "state": "scanning" if event.scanning else "idle",
        "done": event.done,
        "total": event.total,
        "percent": round(percent, 1),
        "ts": event.wall_time,
    }


def stats_payload(event: StatsEvent) -> Payload:
    return {
        "fps": _r(event.fps, 2),
        "stage_ms": {k: round(float(v), 2) for k, v in event.stage_ms.items()},
        "accelerator": event.accelerator,
        "cpu_temp_c": _r(event.cpu_temp_c, 1),
        "uptime_s": _r(event.uptime_s, 1),
        "ts": event.wall_time,
    }


def on_off(value: bool) -> str:
    return "ON" if value else "OFF"


def state_values(state: ControlState) -> dict[str, str | int | None]:
    """The value each state topic carries for ``state`` (keys: STATE_FEATURES)."""
    return {
        "privacy": on_off(state.privacy),
        "paused": on_off(state.paused),
        "mode": state.mode,
        "volume": state.volume,
        "quiet_hours": state.quiet_hours or "off",
        "profile": state.profile or "none",
    }


def profiles_payload(event: ProfilesChanged) -> Payload:
    """``<base>/profiles``: who can be chosen, what each profile holds, the last message."""
    return {"active": event.active or "none", "available": event.available,
            "profiles": list(event.profiles), "message": event.message, "ts": event.wall_time}


def state_payload(value: str | int | None, now: float) -> Payload:
    return {"state": value, "ts": now}


def service_entry(event: ServiceStatus, now: float) -> Payload:
    return {"connected": event.connected, "detail": event.detail, "since": iso_utc(now)}


def services_payload(services: dict[str, Payload], now: float) -> Payload:
    """Connection state of the device's own adapters (camera, MPD), for diagnostics."""
    return {"services": dict(sorted(services.items())), "ts": now}
