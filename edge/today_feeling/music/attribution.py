"""Was this change ours or a person's? The bookkeeping behind it, pure (clock injected).

MPD does not say which client did what, so we remember what we asked for: the queue version
after our own edits, the song change we caused, the state we set. Anything else seen through
``idle`` (or the 1 s status poll) came from a person: a song change well before the end of the
previous track is a skip, an unexpected pause or stop is a pause, an unexpected queue version is
a queue edit. :class:`music.session.Session` acts on these verdicts (the director backs off).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from today_feeling.music.catalog import PlayerSnapshot

END_SLACK_S = 2.0
"""A song change this close to the previous track's end is its natural end, not a skip."""
EXPECT_S = 5.0
"""How long a change we caused is expected before an unexplained one counts as a person's."""

PersonStateChange = Literal["pause", "stop"]


@dataclass(frozen=True)
class SongChangeVerdict:
    """What a person did, as far as a song change shows it."""

    skipped: bool
    """They moved off a track before its end (weak negative feedback for it)."""
    stopped: bool
    """They stopped playback (we must not start again on our own)."""


class Attribution:
    """Remembers our own MPD commands and tells a person's changes from them."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._own_version: str | None = None
        self._expect_change_until = float("-inf")
        self._expect_state: tuple[str, float] = ("", float("-inf"))

    # -- what we did ---------------------------------------------------------------------

    def own_queue(self, version: str | None) -> None:
        """The queue is at ``version`` by our doing (our edit, or the baseline on connecting)."""
        self._own_version = version

    def expect_song_change(self) -> None:
        """We are about to change the song (next, play a pick): do not count it as a skip."""
        self._expect_change_until = self._clock() + EXPECT_S

    def expect_state(self, state: str) -> None:
        """We are about to put the player into ``state`` ('play', 'pause')."""
        self._expect_state = (state, self._clock() + EXPECT_S)

    # -- what MPD shows ------------------------------------------------------------------

    def queue_edited(self, version: str | None, consumed: bool) -> bool:
        """True when the queue's ``version`` is a person's edit; it becomes the new baseline.

        ``consumed``: consume mode removed the finished song by itself (not an edit).
        """
        if version == self._own_version:
            return False
        self._own_version = version
        return not consumed

    def song_change(self, old: PlayerSnapshot, new: PlayerSnapshot) -> SongChangeVerdict:
        """Judge a song change from ``old`` to ``new``; an expected change is used up by it."""
        expected = self._clock() < self._expect_change_until
        self._expect_change_until = float("-inf")
        near_end = self.near_end(old)
        skipped = not expected and old.song_id is not None and not (old.state == "play" and near_end)
        stopped = new.state == "stop" and not expected and not near_end
        return SongChangeVerdict(skipped, stopped)

    def state_change(self, old: PlayerSnapshot, new: PlayerSnapshot) -> PersonStateChange | None:
        """A person's pause or stop, or None (our own, or a track that played to its end)."""
        wanted, until = self._expect_state
        if new.state == wanted and self._clock() < until:
            return None
        if new.state == "pause":
            return "pause"
        if new.state == "stop" and not (old.state == "play" and self.near_end(old)):
            return "stop"
        return None

    def near_end(self, old: PlayerSnapshot) -> bool:
        """Was ``old``'s track (as last seen, advanced by the clock while playing) at its end?"""
        position = old.elapsed + (self._clock() - old.at if old.state == "play" else 0.0)
        return old.duration <= 0 or position >= old.duration - END_SLACK_S
