"""Reading and controlling are separate broker users (docs/mosquitto/ config and ACL): the page
watches only after signing in (anonymous clients are refused, and the page says to sign in);
as ``reader`` it is refused, with a visible reason, when it sends a command; a ``controller``'s
commands work. Also: the PWA's offline shell."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.fixtures.broker import Broker
from tests.fixtures.mqtt_probe import Probe
from tests.web.conftest import Stack, screenshot, stack_settings
from today_feeling.config.mqtt import MqttSettings
from today_feeling.config.settings import Settings
from today_feeling.domain.controls import Controls
from today_feeling.events import EventBus
from today_feeling.history import build_service as build_history
from today_feeling.mqtt import build_service as build_mqtt
from today_feeling.web import build_service as build_web

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]

USERS = {"today-feeling": "device-pw", "controller": "control-pw", "reader": "read-pw"}


@pytest.fixture
def secured(make_broker, tmp_path: Path) -> Iterator[Stack]:
    # The documented broker config and ACL (docs/mosquitto/), as shipped.
    broker: Broker = make_broker(documented=True, users=USERS)
    password = tmp_path / "mqtt-password"
    password.write_text(USERS["today-feeling"] + "\n")
    base = stack_settings(broker, tmp_path / "history.sqlite3")
    mqtt = MqttSettings(**{**base.mqtt.__dict__, "username": "today-feeling",
                           "password_file": str(password)})
    settings = Settings(**{**base.__dict__, "mqtt": mqtt})
    bus, controls = EventBus(), Controls()
    actions: list[str] = []
    controls.subscribe_actions(actions.append)
    services = [build_history(settings, bus, controls), build_mqtt(settings, bus, controls),
                build_web(settings, bus, controls)]
    for service in services:
        assert service is not None
        service.start()
    try:
        assert services[2].wait_bound(10)  # type: ignore[union-attr]
        assert services[1].connected.wait(10)  # type: ignore[union-attr]
        yield Stack(settings, bus, controls, services[2], services[0], broker, actions)  # type: ignore[arg-type]
    finally:
        for service in reversed(services):
            service.stop()  # type: ignore[union-attr]


def sign_in(page, user: str, password: str) -> None:
    page.click("#account")  # the header's own button, not the connection pill
    page.fill("#user", user)
    page.fill("#pass", password)
    page.click('#signin button[value="save"]')


def test_reader_is_refused_and_controller_may_control(page, secured: Stack) -> None:
    probe = Probe(secured.broker.port, ("today_feeling/#",), username="today-feeling",
                  password=USERS["today-feeling"])
    next_set = f"{secured.base}/next/set"
    try:
        page.goto(secured.url)
        # The documented broker admits nobody anonymously: the page says how to get in.
        expect(page.locator("#conn-text")).to_contain_text("Sign in to watch")
        expect(page.locator("#conn")).to_have_attribute("data-state", "error")
        expect(page.locator("#emotion-label")).to_have_text("Waiting…")
        expect(page.locator("#account")).to_have_attribute("data-attention", "true")  # asks for a login
        expect(page.locator("#account-text")).to_have_text("Sign in")

        sign_in(page, "reader", "wrong")
        expect(page.locator("#conn-text")).to_contain_text("Sign-in refused")
        sign_in(page, "reader", USERS["reader"])
        expect(page.locator("#conn")).to_have_attribute("data-user", "reader")
        expect(page.locator("#conn")).to_have_attribute("data-state", "live")
        expect(page.locator("#account-text")).to_have_text("reader")  # who is signed in, in view
        expect(page.locator("#account")).to_have_attribute("data-attention", "false")
        expect(page.locator("#volume")).to_be_disabled()  # no player: volume unknown
        page.click("#btn-next")
        expect(page.locator("#toast")).to_contain_text("Not allowed")
        screenshot(page, "dashboard-reader-refused")

        sign_in(page, "controller", USERS["controller"])
        expect(page.locator("#conn")).to_have_attribute("data-user", "controller")
        expect(page.locator("#conn")).to_have_attribute("data-state", "live")
        mark = probe.mark()
        page.click("#privacy")
        probe.wait_text(f"{secured.base}/privacy/set", "ON", after=mark)
        expect(page.locator("#privacy")).to_have_attribute("aria-checked", "true")
        assert secured.controls.state.privacy is True
        assert not probe.on(next_set), "the broker let an anonymous or reader command through"
        assert secured.actions == []
    finally:
        probe.close()


def test_offline_shell_from_the_service_worker(page, stack: Stack) -> None:
    page.goto(stack.url)
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    ready = page.evaluate("""() => Promise.race([
        navigator.serviceWorker.ready.then(() => true),
        new Promise((resolve) => setTimeout(() => resolve(false), 10000))])""")
    assert ready, "service worker did not become ready"
    manifest = page.evaluate("() => fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["display"] == "standalone"
    assert {i["sizes"] for i in manifest["icons"]} >= {"192x192", "512x512"}

    page.context.set_offline(True)
    try:
        page.reload()
        expect(page.locator("#device-name")).to_have_text("Living room")
        expect(page.locator("#conn")).to_have_attribute("data-state", "offline")
        expect(page.locator("#conn-text")).to_have_text("No network")
        screenshot(page, "dashboard-offline")
    finally:
        page.context.set_offline(False)
    expect(page.locator("#conn")).to_have_attribute("data-state", "live", timeout=20_000)
