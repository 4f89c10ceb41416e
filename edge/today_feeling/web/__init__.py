"""The phone dashboard: static page, /healthz, /metrics and read-only history JSON.

``build_service`` is the daemon's factory (None when ``http.bind`` is empty). The page
itself talks to the broker over MQTT-over-WebSockets; this server never takes commands, and its
data endpoints answer only a login the broker accepts.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace

from today_feeling.config.settings import Settings
from today_feeling.config.web import split_bind
from today_feeling.domain.controls import Controls
from today_feeling.events import EventBus
from today_feeling.history.reader import HistoryReader
from today_feeling.mqtt.connection import broker_address
from today_feeling.mqtt.topics import Topics
from today_feeling.web.api import Api, PageConfig
from today_feeling.web.device_info import device_info
from today_feeling.web.login import BrokerLogins
from today_feeling.web.metrics import MetricsCollector
from today_feeling.web.server import HttpServer
from today_feeling.web.static_files import load_static

__all__ = ["HttpServer", "MetricsCollector", "base_topic", "build_service"]

WS_PORT = 9001
"""mosquitto's websockets port the page assumes when ``mqtt.ws_url`` is empty."""


def base_topic(settings: Settings) -> str:
    """``<prefix>/<device>``, exactly the base the MQTT service publishes under."""
    return Topics.create(settings.mqtt.topic_prefix, settings.device.id).base


def build_service(settings: Settings, bus: EventBus, controls: Controls, *,
                  clock: Callable[[], float] = time.time) -> HttpServer | None:
    """The dashboard server, or None when ``http.bind`` is empty.

    ``clock`` is the wall clock that history windows and "today" are cut from; tests pass one
    so that their scenarios do not depend on the time of day they run at.
    """
    cfg = settings.http
    if not cfg.bind:
        return None
    host, port = split_bind(cfg.bind)
    page = PageConfig(base_topic=base_topic(settings), device_id=settings.device.id,
                      device_name=settings.device.name, ws_url=settings.mqtt.ws_url,
                      ws_port=WS_PORT)
    history = HistoryReader(settings.history.path) if settings.history.path else None
    metrics = MetricsCollector(bus, controls, clock=clock, info=device_info(settings))
    api = Api(page, metrics, history, clock=clock)
    return HttpServer(host, port, api, load_static(), logins=_broker_logins(settings))


def _broker_logins(settings: Settings) -> BrokerLogins | None:
    """Logins are checked against the broker the daemon uses; without one, loopback only."""
    if not settings.mqtt.url:
        return None
    address = broker_address(settings.mqtt, os.environ)
    # The retained mood is what the history is made of, and the daemon publishes it from its
    # first connection on (``no mood`` until one is committed).
    mood = Topics.create(settings.mqtt.topic_prefix, settings.device.id).topic("mood")
    return BrokerLogins(replace(address, username=None, password=None), settings.mqtt, mood)
