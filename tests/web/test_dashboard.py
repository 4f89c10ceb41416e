"""The phone dashboard in Debian's chromium against a real mosquitto and the daemon's services.

Every wait is bounded (Playwright's default timeout is set per context, pytest-timeout caps
each test); screenshots at phone size go to test-artifacts/web/.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.fixtures.mqtt_probe import Probe
from tests.support.wait import wait_for
from tests.web.conftest import Stack, clear_of_midnight, screenshot
from today_feeling.domain.analysis import Face, FrameAnalysis
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.domain.mood import MoodState
from today_feeling.events import AnalysisEvent, LibraryScan, MoodChanged, StatsEvent, TrackChanged

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]


def analysis(probs: tuple[float, ...], faces: int = 1) -> AnalysisEvent:
    face = Face(box=(100, 80, 220, 200), score=0.93, keypoints=(), probs=probs)
    frame = FrameAnalysis(index=1, t=time.monotonic(), faces=(face,) * faces, primary=face)
    mood = MoodState(None, 0.0, probs, None, True, False)
    return AnalysisEvent(analysis=frame, state=mood, wall_time=time.time())


def mood_changed(mood: str, at: float, previous: str | None = None) -> MoodChanged:
    state = MoodState(mood, 0.72, None, None, True, True)
    return MoodChanged(previous=previous, state=state, wall_time=at)


def open_live(page, stack: Stack) -> None:
    page.goto(stack.url)
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")


def test_live_emotion_mood_and_track_show_up(page, stack: Stack) -> None:
    open_live(page, stack)
    expect(page.locator("#device-name")).to_have_text("Living room")
    probs = (0.02, 0.01, 0.81, 0.03, 0.08, 0.05)
    stack.bus.publish(analysis(probs, faces=2))
    expect(page.locator("#emotion-label")).to_have_text("Happiness")
    for name, p in zip(EMOTIONS, probs, strict=True):
        expect(page.locator(f'#bars li[data-emotion="{name}"] .pct')).to_have_text(
            f"{round(p * 100)}%")
    expect(page.locator("#faces")).to_have_text("2 faces")
    fill = page.locator('#bars li[data-emotion="happiness"] .fill')
    page.wait_for_function(
        "el => el.getBoundingClientRect().width > 0.7 * el.parentElement.getBoundingClientRect().width",
        arg=fill.element_handle(), timeout=10_000)

    stack.bus.publish(mood_changed("happiness", time.time() - 300, previous="neutral"))
    expect(page.locator("#mood")).to_have_text("Happiness")
    expect(page.locator("#mood-since")).to_contain_text("since")
    expect(page.locator("#mood-since")).to_contain_text("5 min")
    expect(page.locator("#mood-conf")).to_have_text("72% sure")

    stack.bus.publish(TrackChanged(file="lib/sunny.flac", artist="The Brights", title="Sunny Day",
                                   valence=0.8, arousal=0.6, reason="happy face: bright, upbeat",
                                   wall_time=time.time()))
    expect(page.locator("#track-title")).to_have_text("Sunny Day")
    expect(page.locator("#track-artist")).to_have_text("The Brights")
    expect(page.locator("#track-reason")).to_contain_text("bright, upbeat")
    stack.bus.publish(StatsEvent(fps=7.9, stage_ms={"detect": 11.0}, accelerator="cpu",
                                 cpu_temp_c=48.0, uptime_s=7200, wall_time=time.time()))
    expect(page.locator("#stats")).to_contain_text("7.9 fps")
    screenshot(page, "dashboard-live")


def test_controls_publish_commands_and_follow_state(
    page, stack: Stack, probe: Probe,
) -> None:
    open_live(page, stack)
    base = stack.base

    mark = probe.mark()
    page.click("#btn-next")
    probe.wait_for(f"{base}/next/set", after=mark)
    wait_for(lambda: "next" in stack.actions, what="the daemon's controls to get 'next'")
    stack.bus.publish(TrackChanged(file="b.mp3", artist="Next Artist", title="Second Song",
                                   reason="skipped by you", wall_time=time.time()))
    expect(page.locator("#track-title")).to_have_text("Second Song")

    mark = probe.mark()
    page.click("#privacy")
    probe.wait_text(f"{base}/privacy/set", "ON", after=mark)
    expect(page.locator("#privacy")).to_have_attribute("aria-checked", "true")
    assert stack.controls.state.privacy is True
    expect(page.locator("#emotion-label")).to_have_text("Camera off (privacy)")

    mark = probe.mark()
    page.click('#mode button[data-mode="lift"]')
    probe.wait_text(f"{base}/mode/set", "lift", after=mark)
    lift = page.locator('#mode button[data-mode="lift"]')
    expect(lift).to_have_attribute("aria-pressed", "true")
    assert stack.controls.state.mode == "lift"

    mark = probe.mark()
    page.click("#btn-pause")
    probe.wait_text(f"{base}/paused/set", "ON", after=mark)
    expect(page.locator("#btn-pause")).to_contain_text("Resume")
    expect(page.locator("#paused-badge")).to_be_visible()

    mark = probe.mark()
    page.locator("#volume").fill("30")
    probe.wait_text(f"{base}/volume/set", "30", after=mark)
    expect(page.locator("#volume-out")).to_have_text("30")
    wait_for(lambda: stack.controls.state.volume == 30, what="volume 30 to reach the controls")
    screenshot(page, "dashboard-controls")

    mark = probe.mark()
    page.click("#privacy")
    probe.wait_text(f"{base}/privacy/set", "OFF", after=mark)
    expect(page.locator("#privacy")).to_have_attribute("aria-checked", "false")
    for topic in ("privacy", "mode", "paused", "volume", "next"):
        sent = probe.on(f"{base}/{topic}/set")
        assert all(not m.retain for m in sent), "commands must not be retained"


def test_thumbs_quiet_hours_and_library_progress(page, stack: Stack, probe: Probe) -> None:
    open_live(page, stack)
    base = stack.base
    mark = probe.mark()
    page.click("#btn-like")
    probe.wait_text(f"{base}/feedback/set", "UP", after=mark)
    expect(page.locator("#toast")).to_contain_text("more like this")
    mark = probe.mark()
    page.click("#btn-dislike")
    probe.wait_text(f"{base}/feedback/set", "DOWN", after=mark)
    wait_for(lambda: stack.actions[-2:] == ["like", "dislike"], what="the daemon to get the thumbs")

    page.locator("#quiet-from").fill("23:15")
    mark = probe.mark()
    page.click("#quiet")
    probe.wait_text(f"{base}/quiet_hours/set", "23:15-07:00", after=mark)
    expect(page.locator("#quiet")).to_have_attribute("aria-checked", "true")
    wait_for(lambda: stack.controls.state.quiet_hours == "23:15-07:00",
             what="quiet hours to reach the controls")
    mark = probe.mark()
    page.click("#quiet")
    probe.wait_text(f"{base}/quiet_hours/set", "off", after=mark)
    expect(page.locator("#quiet")).to_have_attribute("aria-checked", "false")

    expect(page.locator("#library")).to_be_hidden()
    stack.bus.publish(LibraryScan(True, 120, 5000, wall_time=time.time()))
    expect(page.locator("#library")).to_have_text("Analysing your music: 120 of 5000 tracks (2 %)")
    stack.bus.publish(LibraryScan(False, 5000, 5000, wall_time=time.time()))
    expect(page.locator("#library")).to_be_hidden()


@pytest.mark.parametrize("stack_clock", [clear_of_midnight], indirect=True)
def test_timeline_renders_history_written_by_the_daemon(
        page, stack: Stack, stack_clock: Callable[[], float]) -> None:
    t = stack_clock()
    for mood, ago, prev in (("sadness", 50, None), ("neutral", 35, "sadness"),
                            ("happiness", 12, "neutral")):
        stack.bus.publish(mood_changed(mood, t - ago * 60, previous=prev))
    stack.bus.publish(TrackChanged(file="c.mp3", artist="A", title="Lift Me", reason="cheer up",
                                   wall_time=t - 11 * 60))
    assert stack.history.flush(10)

    open_live(page, stack)
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-segments", "3")
    moods = timeline.locator("rect.seg").evaluate_all("els => els.map(e => e.dataset.mood)")
    assert moods == ["sadness", "neutral", "happiness"]
    widths = timeline.locator("rect.seg").evaluate_all(
        "els => els.map(e => Number(e.getAttribute('width')))")
    assert widths[1] > widths[0]  # 23 min of neutral vs 15 of sadness
    expect(timeline.locator("path.t-mark")).to_have_count(1)
    today = page.locator("#days li").first
    expect(today.locator(".meta")).to_have_text("mostly neutral · 3 mood changes · 1 track")
    expect(page.locator("#days li")).to_have_count(7)
    expect(page.locator("#mood")).to_have_text("Happiness")
    stack.bus.publish(analysis((0.03, 0.02, 0.74, 0.04, 0.12, 0.05)))
    stack.bus.publish(StatsEvent(fps=8.0, stage_ms={"detect": 9.0}, accelerator="cpu",
                                 cpu_temp_c=51.0, uptime_s=3 * 3600, wall_time=time.time()))
    expect(page.locator("#emotion-label")).to_have_text("Happiness")
    expect(page.locator("#stats")).to_contain_text("fps")
    screenshot(page, "dashboard-phone")  # the README's picture (copied to docs/img/)

    page.click('#range button[data-range="day"]')
    day = page.locator('#range button[data-range="day"]')
    expect(day).to_have_attribute("aria-pressed", "true")
    expect(timeline).to_have_attribute("data-segments", "3")


def test_device_offline_is_visible(page, stack: Stack, probe: Probe) -> None:
    open_live(page, stack)
    probe.publish(f"{stack.base}/availability", "offline", retain=True)
    expect(page.locator("#conn")).to_have_attribute("data-state", "device-offline")
    expect(page.locator("#conn-text")).to_have_text("Device offline")
    stack.broker.stop()
    expect(page.locator("#conn")).to_have_attribute("data-state", "error", timeout=15_000)


def test_default_broker_url_is_the_page_host(page, stack: Stack) -> None:
    page.goto(stack.url)
    url = page.evaluate("""async () => {
        const m = await import('/link.js');
        const cfg = {ws_url: '', ws_port: 9001};
        return [m.brokerUrl(cfg, {protocol: 'http:', hostname: '192.168.1.40'}),
                m.brokerUrl(cfg, {protocol: 'https:', hostname: 'speaker.local'}),
                m.brokerUrl({ws_url: 'ws://b:1', ws_port: 9001}, {protocol: 'http:'})];
    }""")
    assert url == ["ws://192.168.1.40:9001", "wss://speaker.local:9001", "ws://b:1"]
