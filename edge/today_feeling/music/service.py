"""The music service: MoodChanged and Controls in, MPD commands and TrackChanged out.

Threads: one *worker* owns the command connection and does everything in order from
its inbox (events, control changes, idle notifications, a periodic tick), so no MPD
state is shared between threads. One *idle* thread per connection blocks in MPD's
``idle`` and posts what changed. Bus and Controls handlers only enqueue, so the
pipeline never waits on MPD. When MPD goes away the worker reconnects with backoff,
re-syncs the state and re-enters idle (the connection's lifecycle: :mod:`music.link`).
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable

from today_feeling.config.music import DirectorSettings, MpdSettings
from today_feeling.domain.controls import Controls, ControlState
from today_feeling.domain.quiet_hours import QuietPolicy
from today_feeling.events import EventBus, LibraryScan, MoodChanged
from today_feeling.music import messages as msg
from today_feeling.music import stickers
from today_feeling.music.connection import CONNECTION_ERRORS
from today_feeling.music.director import Director
from today_feeling.music.feedback import FeedbackRecorder, Signal
from today_feeling.music.index_store import REFUSED
from today_feeling.music.library import Library, Rescanner
from today_feeling.music.link import MpdLink
from today_feeling.music.mood_model import MusicMoodModel
from today_feeling.music.requests import PlayerRequests
from today_feeling.music.session import Session
from today_feeling.music.volume import VolumeRamp

logger = logging.getLogger(__name__)

TICK_S = 1.0
RAMP_TICK_S = 0.1
RELOAD_DEBOUNCE_S = 1.0


class MusicService:
    """Follows the committed mood on MPD; ``start`` returns at once, ``stop`` within seconds."""

    def __init__(self, mpd: MpdSettings, director: DirectorSettings, bus: EventBus,
                 controls: Controls, *, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time, rng: random.Random | None = None,
                 load_model: Callable[[], MusicMoodModel | None] = lambda: None) -> None:
        self._bus = bus
        self._controls = controls
        self._clock = clock
        self._wall = wall
        self._director = Director(director, clock, rng)
        self._library = Library()
        self._feedback = FeedbackRecorder(self._library, lambda: self._director.mood)
        self._quiet = QuietPolicy(lambda: controls.state.quiet_hours, wall, director.quiet_volume)
        self._ramp = VolumeRamp(director.volume_ramp_s, clock)
        self._requests = PlayerRequests(self._ramp, self._quiet, controls)
        self._inbox: queue.Queue[msg.Message] = queue.Queue()
        self._rescanner = Rescanner(mpd, director, mpd.address, self._on_scan_done,
                                    load_model=load_model, progress=self._on_scan_progress)
        self._scan_position = (0, 0)
        self._auto_scan = director.auto_scan
        self._session: Session | None = None
        self._link = MpdLink(mpd, self._inbox, bus, clock)
        self._reload_at: float | None = None
        self._next_poll = 0.0
        self._thread: threading.Thread | None = None
        bus.subscribe(MoodChanged, lambda e: self._inbox.put(msg.MoodCommitted(e)))
        controls.subscribe(lambda old, new: self._inbox.put(msg.ControlsChanged(old, new)))
        controls.subscribe_actions(lambda action: self._inbox.put(msg.ActionRequested(action)))

    @property
    def director(self) -> Director:
        return self._director

    @property
    def library(self) -> Library:
        """The index the director picks from (read it from the music thread, or in tests)."""
        return self._library

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._director.set_mode(self._controls.state.mode)
        self._thread = threading.Thread(target=self._run, name="tf-music", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._inbox.put(msg.Stop())
        self._rescanner.stop(timeout_s=2.0)
        if self._thread is not None:
            self._thread.join(timeout=4.0)
            if self._thread.is_alive():
                logger.warning("music worker did not stop in time")

    # -- worker loop ---------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                if self._session is None and self._link.due():
                    self._try_connect()
                try:
                    message: msg.Message = self._inbox.get(timeout=self._wait_s())
                except queue.Empty:
                    message = msg.Tick()
                if isinstance(message, msg.Stop):
                    break
                self._guarded(message)
        finally:
            self._disconnect("stopped")

    def _wait_s(self) -> float:
        if self._session is None:
            return self._link.wait_s(TICK_S)
        return RAMP_TICK_S if self._ramp.active else TICK_S

    def _guarded(self, message: msg.Message) -> None:
        try:
            self._handle(message)
        except CONNECTION_ERRORS as err:
            logger.warning("MPD connection lost: %s", err)
            self._disconnect()
        except REFUSED as err:
            logger.warning("MPD refused a command: %s", err)
        except Exception:  # a bug must not end the music for good: start from a fresh sync
            logger.exception("music worker failed on %s; reconnecting", type(message).__name__)
            self._disconnect()

    def _handle(self, message: msg.Message) -> None:
        match message:
            case msg.MoodCommitted(event):
                self._on_mood(event)
            case msg.ControlsChanged(old, new):
                self._on_controls(old, new)
            case msg.ActionRequested(action) if self._session is not None:
                self._on_action(action, self._session)
            case msg.ServerChanged(changed, generation) if self._link.is_current(generation):
                self._on_idle(list(changed))
            case msg.Resync():
                self._resync()
            case msg.IdleLost(generation) if self._link.is_current(generation) and self._session:
                logger.warning("MPD idle connection lost")
                self._disconnect()
        self._on_tick()

    def _on_mood(self, event: MoodChanged) -> None:
        if self._director.on_mood(event.state.mood) and self._session is not None:
            self._session.plan(start=True)

    def _on_action(self, action: str, session: Session) -> None:
        """Next, like, dislike from MQTT or the dashboard: the listener spoke about this track."""
        playing = session.playing_file
        signals: dict[str, Signal] = {"like": "like", "dislike": "dislike", "next": "skip"}
        if action in signals and playing:
            self._feedback.record(session.index, playing, signals[action])
        if action in ("next", "dislike"):
            self._director.resume()
            session.skip()

    def _on_controls(self, old: ControlState, new: ControlState) -> None:
        mode_changed = new.mode != old.mode and self._director.set_mode(new.mode)
        if mode_changed:
            self._director.resume()
        if mode_changed and self._session is not None:
            self._session.plan(start=True)
        self._requests.on_controls(old, new, self._session)

    def _on_idle(self, changed: list[str]) -> None:
        if self._session is None:
            return
        if {"player", "playlist", "mixer", "options"} & set(changed):
            self._session.refresh()
        if "sticker" in changed:
            self._reload_at = self._reload_at or self._clock() + RELOAD_DEBOUNCE_S
        if "database" in changed and self._auto_scan:
            self._rescanner.request()

    def _on_tick(self) -> None:
        """Runs after every message: volume ramp, library reload, periodic poll."""
        if self._session is None:
            return
        volume = self._controls.state.volume
        if volume is not None and self._quiet.capped(volume) < volume and not self._ramp.active:
            self._ramp.set_target(self._quiet.capped(volume))  # quiet hours began, or MPD was turned up
        level = self._ramp.step()
        if level is not None:
            self._session.set_volume(level)
        if self._reload_at is not None and self._clock() >= self._reload_at:
            self._reload_library()
        if self._clock() >= self._next_poll:
            self._next_poll = self._clock() + TICK_S
            self._session.tick()

    def _reload_library(self) -> None:
        assert self._session is not None
        self._reload_at = None
        self._library.replace(stickers.load_index(self._session.index))
        logger.info("library index: %d tracks", len(self._library.tracks()))
        self._session.plan()

    def _resync(self) -> None:
        """After (re)connecting: adopt MPD's state, load the index, carry on with the plan."""
        assert self._session is not None
        self._session.sync()
        self._reload_library()
        if self._auto_scan:
            self._rescanner.request()
        self._requests.after_resync(self._session)
        self._session.plan(start=True)

    def _on_scan_progress(self, done: int, total: int, _file: str) -> None:
        """Scanner thread: tell MQTT and the dashboard (their handlers only enqueue)."""
        self._scan_position = (done, total)
        self._bus.publish(LibraryScan(True, done, total, wall_time=self._wall()))

    def _on_scan_done(self) -> None:
        """Scanner thread: ask the worker to reload (stickers may have changed)."""
        (done, total), self._scan_position = self._scan_position, (0, 0)
        self._bus.publish(LibraryScan(False, done, total, wall_time=self._wall()))
        self._inbox.put(msg.ServerChanged(("sticker",), self._link.generation))

    # -- connection lifecycle ------------------------------------------------------------

    def _try_connect(self) -> None:
        opened = self._link.open()
        if opened is None:
            return
        client, index = opened
        self._ramp.reset()
        session = Session(client, director=self._director, library=self._library,
                          controls=self._controls, bus=self._bus, ramp=self._ramp,
                          clock=self._clock, wall=self._wall,
                          index=index, on_skip=lambda file: self._feedback.record(index, file, "skip"),
                          quiet=self._quiet.now)
        self._session = session
        self._guarded(msg.Resync())
        if self._session is session:  # announce only a connection that survived the re-sync
            self._link.announce_up()

    def _disconnect(self, detail: str = "") -> None:
        """Drop the connection; announce it if it had been announced as up."""
        self._session = None
        self._link.drop(detail)
