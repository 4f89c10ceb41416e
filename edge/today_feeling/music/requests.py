"""What people ask of the player (volume, pause): applied now, or held while MPD is away and
applied when it is back.

Why held: MQTT and the dashboard show a request as the new state at once; dropping it because
MPD happened to be restarting would show a volume that never happened. The request waits and is
applied on reconnection, over MPD's own level (which the re-sync reads back first).
"""

from __future__ import annotations

import logging
from typing import Protocol

from today_feeling.domain.controls import Controls, ControlState
from today_feeling.domain.quiet_hours import QuietPolicy
from today_feeling.music.volume import VolumeRamp

logger = logging.getLogger(__name__)


class Player(Protocol):
    def set_paused(self, paused: bool) -> None: ...


class PlayerRequests:
    """Turns control changes into ramp targets and pauses; holds them while disconnected."""

    def __init__(self, ramp: VolumeRamp, quiet: QuietPolicy, controls: Controls) -> None:
        self._ramp, self._quiet, self._controls = ramp, quiet, controls
        self._held_volume: int | None = None
        self._held_paused: bool | None = None

    def on_controls(self, old: ControlState, new: ControlState, player: Player | None) -> None:
        if player is None:
            if new.volume is not None and new.volume != old.volume:
                self._held_volume = new.volume
            if new.paused != old.paused:
                self._held_paused = new.paused
            return
        # Volumes we reflected from MPD come back here: only a different level is a request.
        if new.volume is not None and new.volume not in (old.volume, self._ramp.current):
            self._ramp.set_target(self._quiet.capped(new.volume))
        if new.paused != old.paused:
            player.set_paused(new.paused)  # our own reflection of MPD is a no-op there

    def after_resync(self, player: Player) -> None:
        """Apply what was asked while MPD was away (its own state has just been read back)."""
        volume, paused = self._held_volume, self._held_paused
        self._held_volume = self._held_paused = None
        if volume is not None:
            logger.info("volume %d asked while MPD was away: applying it now", volume)
            self._ramp.set_target(self._quiet.capped(volume))
            self._controls.update(volume=volume)
        if paused is not None:
            logger.info("%s asked while MPD was away: applying it now", "pause" if paused else "resume")
            player.set_paused(paused)
            self._controls.update(paused=paused)
