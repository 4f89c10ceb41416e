"""What the player does, told to the bus: the track that started, and the pick waiting behind it.

The director queues its pick for a new mood behind the playing track (it does not cut a song
mid-way), so until the track boundary the music and the mood disagree. :meth:`next_up` says so:
it announces the queued pick while the playing track was not chosen for the current plan and
does not fit it, and clears the announcement once they agree again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from today_feeling.events import EventBus, NextPlanned, TrackChanged
from today_feeling.music.catalog import song_tag
from today_feeling.music.director import Director, Pick
from today_feeling.music.index_store import REFUSED
from today_feeling.music.library import Library

logger = logging.getLogger(__name__)

Planned = tuple[Pick, int]
"""A pick and the director generation (plan) it was made for."""


class Announcer:
    """Publishes TrackChanged and NextPlanned for one MPD session (deduplicating the latter)."""

    def __init__(self, bus: EventBus, library: Library, director: Director,
                 wall: Callable[[], float]) -> None:
        self._bus = bus
        self._library = library
        self._director = director
        self._wall = wall
        self._said: tuple[str, str] | None = None
        """(playing file, announced file or '') last published; None before the first."""

    def track(self, song: dict[str, Any], pick: Pick | None) -> None:
        """A track started: with the pick's reasons when the director chose it."""
        file = str(song["file"])
        track = self._library.get(file)
        self._bus.publish(TrackChanged(
            file=file, artist=song_tag(song, "artist"), title=song_tag(song, "title"),
            valence=track.valence if track else None, arousal=track.arousal if track else None,
            reason=pick.reason if pick else "", why=pick.why if pick else None,
            wall_time=self._wall(),
        ))
        logger.info("track %s: %s", file, pick.reason if pick else "(not picked by the director)")

    def next_up(self, client: Any, playing: str | None, playing_pick: Planned | None,
                picks: Mapping[str, Planned]) -> None:
        """Announce (or clear) the queued pick, judged against what plays now."""
        next_id = client.status().get("nextsongid")
        queued = picks.get(str(next_id)) if next_id is not None and playing else None
        if queued is None or not self._differs(playing, playing_pick, queued):
            self._say(NextPlanned(after=playing or "", wall_time=self._wall()))
            return
        try:
            entries = client.playlistid(next_id)
        except REFUSED as err:  # the entry went away in between: say nothing rather than guess
            logger.debug("cannot read queued entry %s: %s", next_id, err)
            entries = []
        song = entries[0] if entries else {}
        pick, track = queued[0], queued[0].track
        self._say(NextPlanned(
            after=playing or "", file=track.file, artist=song_tag(song, "artist"),
            title=song_tag(song, "title"), valence=track.valence, arousal=track.arousal,
            reason=pick.reason, why=pick.why, wall_time=self._wall(),
        ))

    def _differs(self, playing: str | None, playing_pick: Planned | None, queued: Planned) -> bool:
        """Whether the queued pick is for a plan the playing track was not chosen for and
        does not fit (a lift step or the next match for the same mood is no news)."""
        generation = self._director.generation
        if queued[1] != generation:
            return False  # an older plan's pick: plan() replaces it at once
        if playing_pick is not None and playing_pick[1] == generation:
            return False
        current = self._library.get(playing or "")
        return current is None or not self._director.fits(current)

    def _say(self, event: NextPlanned) -> None:
        key = (event.after, event.file)
        if key == self._said:
            return
        self._said = key
        self._bus.publish(event)
        if event.file:
            logger.info("next up after %s: %s (%s)", event.after, event.file, event.reason)
