"""A started music service with the bus and controls around it, for tests against a real mpd."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.fixtures.mopidy import LocalMopidy
from tests.music.conftest import mpd_settings
from tests.support.wait import wait_for
from today_feeling.config.music import DirectorSettings
from today_feeling.domain.controls import Controls, ControlState
from today_feeling.domain.mood import MoodState
from today_feeling.events import EventBus, MoodChanged, ServiceStatus, TrackChanged
from today_feeling.music.service import MusicService
from today_feeling_dev.local_mpd import LocalMpd


@dataclass
class Rig:
    """A started service with the bus and controls around it, recording what it publishes."""

    service: MusicService
    bus: EventBus
    controls: Controls
    tracks: list[TrackChanged] = field(default_factory=list)
    statuses: list[ServiceStatus] = field(default_factory=list)

    def mood(self, mood: str) -> None:
        state = MoodState(mood=mood, confidence=0.8, smoothed=None,
                          candidate=None, face_present=True, changed=True)
        self.bus.publish(MoodChanged(previous=None, state=state, wall_time=time.time()))

    def picked(self, count: int = 1, timeout_s: float = 10.0) -> list[TrackChanged]:
        """Wait until the director has started ``count`` of its picks; return them."""
        return list(wait_for(lambda: len(self.director_tracks()) >= count and
                             self.director_tracks(), timeout_s, what=f"{count} picks"))

    def director_tracks(self) -> list[TrackChanged]:
        return [t for t in list(self.tracks) if t.reason]

    def first_pick_for(self, mood: str) -> TrackChanged:
        """Wait for MPD, commit ``mood`` and return the director's first pick: most tests start so."""
        self.connected()
        self.mood(mood)
        return self.picked(1)[0]

    def connected(self, times: int = 1) -> None:
        wait_for(lambda: sum(s.connected for s in list(self.statuses)) >= times,
                 what=f"connected x{times}")


@pytest.fixture
def rig_factory() -> Iterator[Any]:
    started: list[MusicService] = []

    def make(server: LocalMpd | LocalMopidy, mode: str = "match", password_file: str = "",
             wall: Callable[[], float] = time.time, mpd: dict[str, Any] | None = None,
             **director: Any) -> Rig:
        settings = DirectorSettings(**{"volume_ramp_s": 0.5, "variety": 0.0, **director})
        initial = ControlState(mode=mode, quiet_hours=settings.quiet_hours)  # type: ignore[arg-type]
        bus, controls = EventBus(), Controls(initial)
        service = MusicService(mpd_settings(server, password_file=password_file, **(mpd or {})),
                               settings, bus, controls, wall=wall)
        rig = Rig(service, bus, controls)
        bus.subscribe(TrackChanged, rig.tracks.append)
        bus.subscribe(ServiceStatus, rig.statuses.append)
        service.start()
        started.append(service)
        return rig

    yield make
    for service in started:
        service.stop()
        assert not service.running  # stop() returned with the worker ended


