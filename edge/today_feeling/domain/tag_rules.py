"""The user's explicit mapping: tag rules and per-emotion playlists win over audio analysis.

MPD 0.23 has no Mood tag, so users say what suits what through tags they already
have (Genre, Comment, Grouping) or by keeping playlists named after emotions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from today_feeling.domain.emotions import canonical_emotion


@dataclass(frozen=True)
class TagRule:
    """``tag~text=emotions``: a track whose ``tag`` contains ``text`` suits ``emotions``."""

    tag: str
    text: str
    emotions: tuple[str, ...]

    def matches(self, tags: Mapping[str, object]) -> bool:
        value = tags.get(self.tag)
        values = value if isinstance(value, list) else [value]
        return any(isinstance(v, str) and self.text in v.lower() for v in values)


def parse_tag_rules(rules: Iterable[str]) -> tuple[TagRule, ...]:
    """Parse config rules; a ValueError names the first bad rule and the expected form."""
    parsed = []
    for rule in rules:
        head, eq, tail = rule.partition("=")
        tag, tilde, text = head.partition("~")
        emotions = tuple(canonical_emotion(e) or "" for e in tail.split(","))
        if not (eq and tilde and tag.strip() and text.strip()) or "" in emotions:
            raise ValueError(
                f"director.tag_rules: bad rule {rule!r}; expected 'TAG~text=emotion[,emotion]' "
                "with emotions among anger, fear, happiness, sadness, surprise, neutral"
            )
        parsed.append(TagRule(tag.strip().lower(), text.strip().lower(), emotions))
    return tuple(parsed)


def playlist_emotion(name: str, prefix: str) -> str | None:
    """The emotion a stored playlist stands for ('mood-sad' -> 'sadness'), if any."""
    if not prefix or not name.lower().startswith(prefix.lower()):
        return None
    return canonical_emotion(name[len(prefix):])


def explicit_emotions(
    file: str, tags: Mapping[str, object], rules: tuple[TagRule, ...],
    playlists: Mapping[str, tuple[str, ...]],
) -> tuple[tuple[str, ...], str]:
    """The emotions the user assigned to a track and how ('playlist', 'tag'), or ((), '')."""
    from_playlists = playlists.get(file, ())
    if from_playlists:
        return from_playlists, "playlist"
    found: list[str] = []
    for rule in rules:
        if rule.matches(tags):
            found.extend(e for e in rule.emotions if e not in found)
    return tuple(found), ("tag" if found else "")
