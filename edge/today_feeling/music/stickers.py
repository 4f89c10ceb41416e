"""The library mood index: its names and values, kept in MPD stickers or the local index.

It lives in MPD stickers where the server has them, so it survives restarts and other
clients see it; on servers without (Mopidy) in the local index file (index_store.py).

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

from today_feeling.music import feedback
from today_feeling.music.analysis import Features
from today_feeling.music.index_store import IndexStore, MpdStickers
from today_feeling.music.mood_model import LearnedPoint
from today_feeling.music.space import TrackMood, clip_unit

logger = logging.getLogger(__name__)

VALENCE, AROUSAL, EMOTIONS, SOURCE, FEATURES, FINGERPRINT = (
    "tf_valence", "tf_arousal", "tf_emotions", "tf_source", "tf_features", "tf_fp",
)
ALL = (VALENCE, AROUSAL, EMOTIONS, SOURCE, FEATURES, FINGERPRINT)
FEEDBACK = feedback.FEEDBACK_STICKER


def read_all(client: Any, name: str) -> dict[str, str]:
    """file -> value of MPD sticker ``name`` for every song that has it (one round trip)."""
    return MpdStickers(client).read_all(name)


def load_index(index: IndexStore) -> list[TrackMood]:
    """Every indexed track; files with missing or malformed values are left out."""
    valence, arousal = index.read_all(VALENCE), index.read_all(AROUSAL)
    emotions, sources = index.read_all(EMOTIONS), index.read_all(SOURCE)
    liked = index.read_all(FEEDBACK)
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


def load_library(client: Any) -> list[TrackMood]:
    """Every track indexed in MPD's stickers."""
    return load_index(MpdStickers(client))


def write(client: Any, file: str, values: dict[str, str]) -> None:
    MpdStickers(client).write(file, values)


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
