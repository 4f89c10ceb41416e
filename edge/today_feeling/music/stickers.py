"""The library mood index lives in MPD stickers, so it survives restarts and other clients see it.

Sticker names (all on ``song`` objects):

- ``tf_valence``, ``tf_arousal``: the track's point, floats in [-1, 1]
- ``tf_emotions``: comma-separated emotions it suits, best first
- ``tf_source``: ``audio``, ``tag`` or ``playlist`` (where the point came from)
- ``tf_features``: what the analysis measured: the hand-made features
  (``bpm=.. db=.. centroid=.. mode=.. vN``) or the learned model's point (``model=KEY mood=V,A``)
- ``tf_feedback``: the listener's per-mood score, ``sadness:+1.00,happiness:-0.33``
  (thumbs up/down and skips; written by the music service, never by a scan)
- ``tf_fp``: fingerprint ``analysis-version|method|last-modified|duration`` for incremental scans
"""

from __future__ import annotations

import logging
from typing import Any

from mpd import CommandError

from today_feeling.music import feedback
from today_feeling.music.analysis import Features
from today_feeling.music.mood_model import LearnedPoint
from today_feeling.music.space import TrackMood, clip_unit

logger = logging.getLogger(__name__)

VALENCE, AROUSAL, EMOTIONS, SOURCE, FEATURES, FINGERPRINT = (
    "tf_valence", "tf_arousal", "tf_emotions", "tf_source", "tf_features", "tf_fp",
)
ALL = (VALENCE, AROUSAL, EMOTIONS, SOURCE, FEATURES, FINGERPRINT)
FEEDBACK = feedback.FEEDBACK_STICKER


def read_all(client: Any, name: str) -> dict[str, str]:
    """file -> value of sticker ``name`` for every song that has it (one round trip)."""
    try:
        rows = client.sticker_find("song", "", name)
    except CommandError as err:  # e.g. MPD built without sticker support
        logger.warning("sticker find %s failed: %s", name, err)
        return {}
    out: dict[str, str] = {}
    for row in rows:
        key, _, value = str(row.get("sticker", "")).partition("=")
        if key == name and "file" in row:
            out[row["file"]] = value
    return out


def load_library(client: Any) -> list[TrackMood]:
    """Every indexed track; files with missing or malformed stickers are left out."""
    valence, arousal = read_all(client, VALENCE), read_all(client, AROUSAL)
    emotions, sources = read_all(client, EMOTIONS), read_all(client, SOURCE)
    liked = read_all(client, FEEDBACK)
    tracks = []
    for file, v in valence.items():
        try:
            point = (clip_unit(float(v)), clip_unit(float(arousal[file])))
        except (KeyError, ValueError):
            continue
        tracks.append(TrackMood(
            file, point[0], point[1],
            tuple(e for e in emotions.get(file, "").split(",") if e),
            sources.get(file, "audio"),
            tuple(sorted(feedback.parse(liked.get(file, "")).items())),
        ))
    return tracks


def write(client: Any, file: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        client.sticker_set("song", file, name, value)


def parse_features(text: str) -> Features | None:
    """Features from a ``tf_features`` value, or None when absent or from another version."""
    fields = dict(part.split("=", 1) for part in text.split() if "=" in part)
    try:
        return Features(float(fields["bpm"]), float(fields["db"]), float(fields["centroid"]),
                        float(fields["mode"]))
    except (KeyError, ValueError):
        return None


def parse_analysis(text: str) -> Features | LearnedPoint | None:
    """Whichever analysis a ``tf_features`` value records, or None when it is unreadable."""
    return LearnedPoint.parse(text) if text.startswith("model=") else parse_features(text)
