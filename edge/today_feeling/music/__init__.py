"""Music that fits the mood: MPD adapter, library mood index and director.

Public entry point: :func:`build_service`. Modules: ``space`` (the valence-arousal
plane), ``analysis`` (audio features), ``scan`` and
``stickers`` (the index kept in MPD), ``director`` (pure policy), ``session``, ``service``
and ``link`` (the MPD adapter and its connection lifecycle), ``attribution`` (pure: which
changes were a person's), ``demo`` (a generated demo library). The private MPD that the
tests and the demo start is a development tool, ``today_feeling_dev.local_mpd``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the service and its MPD client load only when music is on
    from today_feeling.config.settings import Settings
    from today_feeling.domain.controls import Controls
    from today_feeling.events import EventBus
    from today_feeling.music.service import MusicService


def build_service(settings: Settings, bus: EventBus, controls: Controls) -> MusicService | None:
    """The music service, or None when ``mpd.address`` is 'off'.

    Director mode 'off' still connects: the user can switch modes at run time, and the
    dashboard still shows the playing track and volume.
    """
    if settings.mpd.address.strip().lower() == "off":
        return None
    from functools import partial

    from today_feeling.domain.quiet_hours import normalise
    from today_feeling.music.mood_model import load_configured
    from today_feeling.music.service import MusicService

    # The configured mode is the starting point; MQTT and the dashboard change it later.
    controls.update(mode=settings.director.mode,
                    quiet_hours=normalise(settings.director.quiet_hours))  # as MQTT would store it
    return MusicService(settings.mpd, settings.director, bus, controls,
                        load_model=partial(load_configured, settings.models))


__all__ = ["build_service"]
