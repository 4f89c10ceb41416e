"""Why the director chose a track, in words a listener understands.

A pick's explanation is kept as codes (the mood, match or lift step n of N, how the track feels,
what the listener said about it before) so the dashboard can say it in the listener's language;
:func:`sentence` is the English line that MQTT's ``reason``, Home Assistant and the logs carry.
Valence/arousal numbers stay out of it: "v=+0.80 a=+0.50" means nothing to a listener.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

#: How energetic a track feels (from arousal, calm .. energetic), in five bands.
ENERGY: tuple[str, ...] = ("calm", "relaxed", "steady", "lively", "energetic")
#: How happy a track sounds (from valence, unpleasant .. pleasant), in five bands.
TONE: tuple[str, ...] = ("sad", "slightly_sad", "neutral", "slightly_happy", "happy")
#: A committed mood as an adjective ("your sad mood").
MOOD_ADJECTIVE: dict[str, str] = {
    "anger": "angry", "fear": "fearful", "happiness": "happy", "sadness": "sad",
    "surprise": "surprised", "neutral": "neutral",
}
#: Band edges: beyond ±STRONG a track is clearly calm/energetic (sad/happy), beyond ±SLIGHT a bit.
STRONG, SLIGHT = 0.5, 0.15


def band(value: float, words: tuple[str, ...]) -> str:
    """One of five words for a value on a -1..1 axis (symmetric: -0.5 and 0.5 are both strong)."""
    if value <= -STRONG:
        return words[0]
    if value <= -SLIGHT:
        return words[1]
    if value < SLIGHT:
        return words[2]
    return words[3] if value < STRONG else words[4]


@dataclass(frozen=True)
class PickWhy:
    """The reasons behind one pick, as codes a page can translate."""

    mood: str
    """The committed mood the pick was made for (``sadness``)."""
    mood_s: int
    """How long that mood had been committed when the pick was made, in seconds."""
    mode: Literal["match", "lift"]
    """``match``: music like the mood; ``lift``: a step from the mood toward a calmer, happier one."""
    step: int | None
    """Lift only: which step this pick is, 1 = meeting the mood where it is."""
    steps: int | None
    """Lift only: how many steps lead from the mood to the target."""
    energy: str
    """How the track feels, one of :data:`ENERGY`."""
    tone: str
    """How happy the track sounds, one of :data:`TONE`."""
    feedback: Literal["liked", "skipped"] | None = None
    """What the listener did with this track in this mood before, if anything."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def feel(valence: float, arousal: float) -> tuple[str, str]:
    """(energy, tone) words for a track's point on the valence-arousal plane."""
    return band(arousal, ENERGY), band(valence, TONE)


def describe(energy: str, tone: str) -> str:
    """"calm, slightly happy"; a neutral tone is left out ("lively"), as no listener says it."""
    if tone == "neutral":
        return energy
    return f"{energy}, {tone.replace('_', ' ')}"


def sentence(why: PickWhy) -> str:
    """The English reason: "calm, slightly happy track for your sad mood — lift step 2 of 5"."""
    mood = MOOD_ADJECTIVE.get(why.mood, why.mood)
    track = describe(why.energy, why.tone)
    if why.mode == "lift":
        text = f"{track} track for your {mood} mood — lift step {why.step} of {why.steps}"
    else:
        text = f"{track} track to match your {mood} mood"
    if why.feedback == "liked":
        text += f"; you liked it before when {mood}"
    elif why.feedback == "skipped":
        text += f"; you skipped it before when {mood}"
    return text
