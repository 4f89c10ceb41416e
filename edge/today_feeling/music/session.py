"""One live MPD connection: follow the player, act on people's changes, drive the queue.

Which changes were a person's (a skip, a pause, a queue edit) is judged by
:class:`music.attribution.Attribution` from what we told it we asked for; the director then
backs off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from mpd import CommandError

from today_feeling.domain.controls import Controls
from today_feeling.events import EventBus
from today_feeling.music.announce import Announcer, Planned
from today_feeling.music.attribution import Attribution
from today_feeling.music.catalog import PlayerSnapshot, status_duration
from today_feeling.music.director import Director, Pick
from today_feeling.music.index_store import REFUSED, IndexStore
from today_feeling.music.library import Library
from today_feeling.music.volume import VolumeRamp

logger = logging.getLogger(__name__)

KEEP_PLAYED = 50
"""Played queue entries kept behind the current song; older ones are pruned (MPD caps the
queue at 16384 entries, which an always-on speaker would reach in about a month)."""


class Session:
    """Owns the command connection's behaviour; the service replaces it on reconnect."""

    def __init__(self, client: Any, *, director: Director, library: Library, controls: Controls,
                 bus: EventBus, ramp: VolumeRamp, clock: Callable[[], float],
                 wall: Callable[[], float], index: IndexStore,
                 on_skip: Callable[[str], object] = lambda _file: None,
                 quiet: Callable[[], bool] = lambda: False) -> None:
        self.client = client
        self.index = index
        """Where the mood index lives for this server (stickers, or the local file)."""
        self.playing_file: str | None = None
        """The track MPD is playing (or paused on), as last seen."""
        self._on_skip = on_skip
        self._quiet = quiet
        self._director = director
        self._library = library
        self._controls = controls
        self._announce = Announcer(bus, library, director, wall)
        self._ramp = ramp
        self._clock = clock
        self._snap = PlayerSnapshot()
        self._ours = Attribution(clock)
        self._picks: dict[str, Planned] = {}
        self._playing_pick: Planned | None = None
        """Our pick that is playing (None: a person's track), and the plan it was made for."""
        # the paused value this session last acted on or mirrored: while the store holds
        # another, a person's request is still queued and MPD's (older) truth must not undo it
        self._paused_seen = controls.state.paused
        self._switched_generation = -1
        self._start_pending = False
        """A start was asked for but nothing could be picked (e.g. the index was still empty)."""

    # -- following MPD -------------------------------------------------------------------

    def sync(self) -> None:
        """Adopt MPD's current state as the baseline (after (re)connecting)."""
        status = self.client.status()
        self._ours.own_queue(status.get("playlist"))
        self._snap = self._snapshot(status)
        self._reflect(status)
        song = self.client.currentsong()
        if song.get("file") and self._snap.state != "stop":
            self.playing_file = str(song["file"])
            self._director.note_played(song["file"])
            self._announce.track(song, None)
        self._next_up()

    def refresh(self) -> dict[str, Any]:
        """Read status and react to whatever changed since the last look."""
        status = self.client.status()
        new = self._snapshot(status)
        old, self._snap = self._snap, new
        if new.state == "stop":
            self.playing_file = None  # thumbs now would be about a track nobody hears
        # The queue version first: handling a song change below edits the queue itself.
        consumed = status.get("consume") == "1" and new.song_id != old.song_id
        if self._ours.queue_edited(status.get("playlist"), consumed):
            self._director.note_manual("queue edit")
        if new.song_id != old.song_id:
            self._on_song_change(old, new)
        elif new.state != old.state:
            self._on_state_change(old, new)
        self._reflect(status)
        return dict(status)

    def _snapshot(self, status: dict[str, Any]) -> PlayerSnapshot:
        return PlayerSnapshot(
            song_id=status.get("songid"), state=str(status.get("state", "stop")),
            elapsed=float(status.get("elapsed", 0.0)),
            duration=status_duration(status), at=self._clock(),
        )

    def _on_song_change(self, old: PlayerSnapshot, new: PlayerSnapshot) -> None:
        verdict = self._ours.song_change(old, new)
        if verdict.skipped:
            self._director.note_manual("skip")
            if self.playing_file:
                self._on_skip(self.playing_file)  # a person skipped it: weak negative feedback
        if verdict.stopped:
            self._manual_stop()
        if new.song_id is not None and new.state != "stop":
            self._track_started(new.song_id)

    def _track_started(self, song_id: str) -> None:
        """Announce the track (with our reason if it was our pick) and queue the next pick."""
        song = self.client.currentsong()
        if not song.get("file"):
            return
        self.playing_file = str(song["file"])
        self._director.note_played(song["file"])
        self._playing_pick = self._picks.pop(str(song_id), None)
        self._announce.track(song, self._playing_pick[0] if self._playing_pick else None)
        self.plan()
        self._next_up()
        self._prune()

    def _on_state_change(self, old: PlayerSnapshot, new: PlayerSnapshot) -> None:
        if old.state == "stop" and new.state == "play" and new.song_id is not None:
            self._track_started(new.song_id)  # play pressed on a stopped queue
        person = self._ours.state_change(old, new)
        if person == "pause":
            self._director.note_manual("pause")
        elif person == "stop":
            self._manual_stop()

    def _manual_stop(self) -> None:
        """A person stopped playback: count it as a pause so we do not start again on our own."""
        self._director.note_manual("stop")
        self._mirror_paused(True)

    def _reflect(self, status: dict[str, Any]) -> None:
        """Mirror MPD's truth into the controls (MQTT and the dashboard show it)."""
        state = status.get("state")
        if state in ("play", "pause"):
            self._mirror_paused(state == "pause")
        volume = int(status.get("volume", -1))
        if volume >= 0 and not self._ramp.active:
            self._ramp.observe(volume)
            self._controls.update(volume=volume)

    def _mirror_paused(self, paused: bool) -> None:
        if self._controls.update_if({"paused": self._paused_seen}, paused=paused):
            self._paused_seen = paused

    def _next_up(self) -> None:
        """Tell the dashboard which pick waits behind a track that no longer fits the mood."""
        self._announce.next_up(self.client, self.playing_file, self._playing_pick, self._picks)

    # -- driving MPD ---------------------------------------------------------------------

    def plan(self, start: bool = False, by_person: bool = False) -> None:
        """Make sure the next song is a pick for the current plan; ``start`` plays from stop.

        Quiet hours stop the director from starting music, not a person (``by_person``).
        """
        if not self._director.active:
            return
        requested, start = start, start or self._start_pending
        status = self.client.status()
        next_id = status.get("nextsongid")
        queued = self._picks.get(str(next_id)) if next_id is not None else None
        stopped = status.get("state") == "stop"
        if stopped and not start:
            return  # queue only behind something playing; starting is for explicit requests
        if stopped and self._quiet() and not by_person:
            if requested:
                logger.info("quiet hours: not starting music for the new mood")
            self._start_pending = False  # nor when quiet hours end: only a new request starts it
            return
        if queued and queued[1] == self._director.generation and not stopped:
            return
        current = self.client.currentsong().get("file")
        pick = self._director.pick(self._library.tracks(), exclude=[current] if current else [])
        if pick is None:  # said once per request, not on every 1 s tick
            logger.log(logging.INFO if requested else logging.DEBUG,
                       "nothing to pick from an index of %d tracks (run 'today-feeling library "
                       "scan'?)", len(self._library.tracks()))
            self._start_pending = start
            return
        self._start_pending = False
        if queued:
            self.client.deleteid(next_id)
            self._picks.pop(str(next_id), None)
        self._enqueue(pick, status, start and stopped and not self._controls.state.paused)

    def _enqueue(self, pick: Pick, status: dict[str, Any], play: bool) -> None:
        position = [int(status["song"]) + 1] if "song" in status and not play else []
        try:
            song_id = self.client.addid(pick.track.file, *position)
        except CommandError as err:  # the file left the database since the index was loaded
            logger.warning("cannot queue %s (%s): dropped from the index", pick.track.file, err)
            self._library.discard(pick.track.file)
            return
        if status.get("random") == "1":
            try:
                self.client.prioid(255, song_id)  # random order plays high priorities first
            except REFUSED as err:  # Mopidy has no priorities: the pick may play later
                logger.info("cannot prioritise %s in random order: %s", pick.track.file, err)
        self._picks[str(song_id)] = (pick, self._director.generation)
        if play:
            self._ours.expect_song_change()
            self._ours.expect_state("play")
            self.client.playid(song_id)
        self._ours.own_queue(self.client.status().get("playlist"))
        logger.info("queued %s: %s", pick.track.file, pick.reason)
        self._next_up()

    def _prune(self) -> None:
        """Drop the oldest played entries while the director drives the queue."""
        if not self._director.active:
            return
        status = self.client.status()
        excess = int(status.get("song", 0)) - KEEP_PLAYED
        if excess > 0:
            self.client.delete((0, excess))
            self._ours.own_queue(self.client.status().get("playlist"))

    def skip(self) -> None:
        """Go to the next track now (our 'next' action or a stable-mood switch)."""
        self.plan()
        if self.client.status().get("nextsongid") is None:
            return
        self._ours.expect_song_change()
        self.client.next()

    def set_paused(self, paused: bool) -> None:
        """Converge MPD to the controls; a change MPD already shows (reflected) does nothing.

        Asks MPD for its state rather than trusting the last snapshot: a resume queued right
        behind a pause arrives before MPD's event for the pause, and judged by the stale
        snapshot ('play') it would be dropped, leaving the music paused.
        """
        self._paused_seen = paused
        state = str(self.client.status().get("state", "stop"))
        if paused and state == "play":
            self._ours.expect_state("pause")
            self.client.pause(1)
        elif not paused and state == "pause":
            self._director.resume()
            self._ours.expect_state("play")
            self.client.pause(0)
        elif not paused and state == "stop":
            self._director.resume()
            self.plan(start=True, by_person=True)

    def tick(self) -> None:
        """Periodic: follow playback, resume planning after a back-off, stable-mood switch."""
        status = self.refresh()
        if status.get("state") == "stop" or not self._director.active:
            return
        self.plan()
        generation = self._director.generation
        if generation == self._switched_generation or not self._director.switch_enabled:
            return
        current = self._library.get(str(self.client.currentsong().get("file", "")))
        if self._director.wants_switch(current):
            self._switched_generation = generation
            logger.info("mood stable for %.0f s and the playing track does not fit: switching",
                        self._director.mood_age())
            self.skip()

    def set_volume(self, volume: int) -> None:
        self.client.setvol(max(0, min(100, volume)))
