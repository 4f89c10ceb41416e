"""What /metrics says about the device itself: its id, its models and the services it runs.

Known when the daemon is composed (from its settings), not from events: a fleet groups its
devices by model, and must tell a service that this config turns off from one that is down.
"""

from __future__ import annotations

from dataclasses import dataclass

from today_feeling.config.settings import Settings


@dataclass(frozen=True)
class DeviceInfo:
    """The labels of ``today_feeling_build_info`` and the services expected to be up."""

    device: str = ""
    detector_model: str = ""
    """The manifest keys of the face detectors in use, joined by '+' ('auto' runs two)."""
    emotion_model: str = ""
    expected: tuple[tuple[str, bool], ...] = ()
    """(service, its state until it first reports) for each service this config turns on."""


def device_info(settings: Settings) -> DeviceInfo:
    """The info for ``settings`` (whose ``device.id`` the daemon has already resolved).

    Connections (MQTT, MPD) count as down until they announce a connection; the history
    writer announces only failures and recoveries, so it counts as up until it fails.
    """
    expected: list[tuple[str, bool]] = []
    if settings.mqtt.url:
        expected.append(("mqtt", False))
    if settings.mpd.address.strip().lower() != "off":
        expected.append(("mpd", False))
    if settings.history.path:
        expected.append(("history", True))
    return DeviceInfo(device=settings.device.id, detector_model="+".join(detectors(settings)),
                      emotion_model=settings.models.emotion, expected=tuple(expected))


def detectors(settings: Settings) -> list[str]:
    """The detector keys ``models.detector`` runs: the selection inference.build makes, read
    from the settings here because adapters do not import each other (a test holds them equal)."""
    models = settings.models
    keys = {"short": models.short_detector, "full": models.full_detector}
    return [key for mode, key in keys.items() if models.detector in (mode, "auto")]
