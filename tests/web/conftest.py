"""A dashboard stack on loopback: real mosquitto (websockets), the daemon's MQTT, history and
web services on one EventBus, and Debian's chromium driven by Playwright."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.fixtures.broker import Broker, make_broker  # noqa: F401
from tests.fixtures.mqtt_probe import Probe
from today_feeling.config.mqtt import MqttSettings
from today_feeling.config.settings import DeviceSettings, Settings
from today_feeling.config.web import HistorySettings, HttpSettings
from today_feeling.domain.controls import Controls, ControlState
from today_feeling.events import EventBus
from today_feeling.history import HistoryService
from today_feeling.history import build_service as build_history
from today_feeling.mqtt import build_service as build_mqtt
from today_feeling.web import HttpServer
from today_feeling.web import build_service as build_web

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
DEVICE = "livingroom"
WAIT_MS = 10_000


@dataclass
class Stack:
    """Everything a dashboard test touches."""

    settings: Settings
    bus: EventBus
    controls: Controls
    web: HttpServer
    history: HistoryService
    broker: Broker
    actions: list[str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web.port}/"

    @property
    def base(self) -> str:
        return f"today_feeling/{DEVICE}"


def stack_settings(broker: Broker, history_path: Path, ws_url: str | None = None) -> Settings:
    return Settings(
        device=DeviceSettings(id=DEVICE, name="Living room"),
        mqtt=MqttSettings(url=broker.url, ws_url=ws_url or broker.ws_url,
                          emotion_interval_s=0.05, stats_interval_s=1.0, discovery=False,
                          reconnect_min_s=0.2, reconnect_max_s=1.0),
        http=HttpSettings(bind="127.0.0.1:0"),
        history=HistorySettings(path=str(history_path)),
    )


@pytest.fixture
def ws_broker(make_broker) -> Broker:  # noqa: F811
    return make_broker(websockets=True)


def clear_of_midnight() -> Callable[[], float]:
    """A wall clock that reads at least an hour past local midnight and five minutes before the
    next: real time, moved back when a run falls outside that.

    Why: a scenario of events "50 minutes ago" judged by "today's" summary only holds when those
    minutes and the test's own seconds are all in one day; a run near midnight must not fail.
    """
    now = time.time()
    midnight = datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0)
    earliest = (midnight + timedelta(hours=1)).timestamp()
    latest = (midnight + timedelta(days=1)).timestamp() - 300  # naive local: DST-aware
    target = midnight.timestamp() - 300 if now < earliest else min(now, latest)  # 23:55 or now
    offset = now - target
    return lambda: time.time() - offset


@pytest.fixture
def stack_clock(request: pytest.FixtureRequest) -> Callable[[], float]:
    """The wall clock the stack's history and web services run on: real time, or what a test
    asks for with ``@pytest.mark.parametrize("stack_clock", [factory], indirect=True)``."""
    factory = getattr(request, "param", None)
    return factory() if factory is not None else time.time


@pytest.fixture
def stack(ws_broker: Broker, tmp_path: Path, stack_clock: Callable[[], float]) -> Iterator[Stack]:
    settings = stack_settings(ws_broker, tmp_path / "history.sqlite3")
    bus, controls = EventBus(), Controls(ControlState(volume=50))
    actions: list[str] = []
    controls.subscribe_actions(actions.append)
    history = build_history(settings, bus, controls, clock=stack_clock)
    mqtt = build_mqtt(settings, bus, controls)
    web = build_web(settings, bus, controls, clock=stack_clock)
    assert history is not None
    assert mqtt is not None
    assert web is not None
    for service in (history, mqtt, web):
        service.start()
    try:
        assert web.wait_bound(10), "dashboard did not bind"
        assert mqtt.connected.wait(10), "daemon MQTT did not connect"
        yield Stack(settings, bus, controls, web, history, ws_broker, actions)
    finally:
        for service in (web, mqtt, history):
            service.stop()


@pytest.fixture
def probe(ws_broker: Broker) -> Iterator[Probe]:
    p = Probe(ws_broker.port, ("today_feeling/#",))
    yield p
    p.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                      headless=True, timeout=30_000)
        yield instance
        instance.close()


@pytest.fixture
def context(browser) -> Iterator[object]:
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                              has_touch=True, color_scheme="dark")
    ctx.set_default_timeout(WAIT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context) -> Iterator[object]:
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors  # type: ignore[attr-defined]
    yield pg
    assert not errors, f"JavaScript errors on the page: {errors}"


def screenshot(page, name: str) -> Path:
    """Save a phone-sized screenshot under test-artifacts/web/ (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.wait_for_timeout(400)  # let CSS transitions (bar widths) finish
    page.screenshot(path=str(path), full_page=True)
    return path


def now() -> float:
    return time.time()
