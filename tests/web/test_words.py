"""The dashboard in words, in English and in Korean (Chromium, real stack on loopback): the page's
language follows the browser and can be switched (and is remembered); a pick's reason and the
"next up" line come from real director picks; sign-in is a visible button of its own; the privacy
label says the camera's state."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import expect

from tests.web.conftest import PHONE, WAIT_MS, Stack, screenshot
from tests.web.test_dashboard import analysis, mood_changed, open_live
from today_feeling.config.music import DirectorSettings
from today_feeling.events import NextPlanned, StatsEvent, TrackChanged
from today_feeling.music.director import Director, Pick
from today_feeling.music.space import TrackMood

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]

PLAYING = "lib/grey-morning.flac"


def picks(mode: str, mood: str, count: int) -> list[Pick]:
    """The director's first ``count`` picks for ``mood`` from a grid of tracks."""
    steps = [x / 4 for x in range(-4, 5)]
    library = [TrackMood(f"lib/{v:+.2f}{a:+.2f}.flac", v, a) for v in steps for a in steps]
    director = Director(replace(DirectorSettings(variety=0.0), mode=mode),  # type: ignore[arg-type]
                        lambda: 1000.0, random.Random(5))
    director.on_mood(mood)
    chosen = []
    for _ in range(count):
        pick = director.pick(library)
        assert pick is not None
        director.note_played(pick.track.file)
        chosen.append(pick)
    return chosen


def play(stack: Stack, pick: Pick, file: str = PLAYING, title: str = "Grey Morning") -> None:
    stack.bus.publish(TrackChanged(file=file, artist="Hana", title=title, valence=pick.track.valence,
                                   arousal=pick.track.arousal, reason=pick.reason, why=pick.why,
                                   wall_time=time.time()))


def queue_next(stack: Stack, pick: Pick | None, after: str = PLAYING) -> None:
    if pick is None:
        stack.bus.publish(NextPlanned(after=after, wall_time=time.time()))
        return
    stack.bus.publish(NextPlanned(after=after, file=pick.track.file, artist="The Brights",
                                  title="Sunny Day", valence=pick.track.valence,
                                  arousal=pick.track.arousal, reason=pick.reason, why=pick.why,
                                  wall_time=time.time()))


@pytest.fixture
def ko_page(browser) -> Iterator[object]:
    """A phone whose browser prefers Korean."""
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                              color_scheme="dark", locale="ko-KR")
    ctx.set_default_timeout(WAIT_MS)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_english_reason_next_up_sign_in_and_privacy(page, stack: Stack) -> None:
    open_live(page, stack)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    account = page.locator("#account")
    expect(account).to_be_visible()
    expect(account).to_have_text("Sign in")
    pill, button = page.locator("#conn").bounding_box(), account.bounding_box()
    assert pill and button
    apart = pill["x"] + pill["width"] <= button["x"] or button["y"] >= pill["y"] + pill["height"]
    assert apart, f"the sign-in button overlaps the connection pill: {pill} {button}"
    assert button["x"] + button["width"] <= PHONE["width"], "the sign-in button is off screen"

    expect(page.locator("#privacy-state")).to_have_text("Camera on")
    page.click("#privacy")
    expect(page.locator("#privacy-state")).to_have_text("Camera off — privacy mode")
    expect(page.locator("#privacy")).to_have_attribute("aria-checked", "true")
    page.click("#privacy")
    expect(page.locator("#privacy-state")).to_have_text("Camera on")

    lift = picks("lift", "sadness", 4)[-1]
    assert lift.reason == "relaxed, slightly happy track for your sad mood — lift step 4 of 5"
    play(stack, lift)
    reason = page.locator("#track-reason")
    expect(reason).to_have_text("Relaxed, slightly happy track for your sad mood — lift step 4 of 5")
    assert not re.search(r"[va]=", reason.inner_text())

    next_up = page.locator("#next-up")
    expect(next_up).to_be_hidden()
    stack.bus.publish(mood_changed("happiness", time.time()))
    happy = picks("match", "happiness", 1)[0]
    queue_next(stack, happy)
    expect(next_up).to_have_text("Next up: Sunny Day (for your happy mood)")
    expect(next_up).to_be_visible()
    screenshot(page, "dashboard-next-up")
    queue_next(stack, happy, after="lib/some-other-track.flac")  # not after what plays: not shown
    expect(next_up).to_be_hidden()
    queue_next(stack, happy)
    expect(next_up).to_be_visible()
    play(stack, happy, file=happy.track.file, title="Sunny Day")  # the pick plays: no longer next
    expect(next_up).to_be_hidden()
    expect(reason).to_have_text("Energetic, happy track to match your happy mood")
    queue_next(stack, None, after=happy.track.file)
    expect(next_up).to_be_hidden()


def test_korean_browser_gets_korean_and_can_switch_to_english(ko_page, stack: Stack) -> None:
    page = ko_page
    open_live(page, stack)
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("#conn-text")).to_have_text("실시간")
    expect(page.locator("#account")).to_have_text("로그인")
    expect(page.locator("#live-h")).to_have_text("지금")
    expect(page.locator("#privacy-state")).to_have_text("카메라 켜짐")
    expect(page.locator("#lang")).to_have_text("English")

    stack.bus.publish(analysis((0.02, 0.01, 0.81, 0.03, 0.08, 0.05), faces=1))
    expect(page.locator("#emotion-label")).to_have_text("행복")
    expect(page.locator("#faces")).to_have_text("얼굴 1개")
    stack.bus.publish(mood_changed("sadness", time.time() - 120))
    expect(page.locator("#mood")).to_have_text("슬픔")
    expect(page.locator("#mood-conf")).to_have_text("확신도 72%")
    play(stack, picks("lift", "sadness", 4)[-1])
    expect(page.locator("#track-reason")).to_have_text(
        "슬픈 기분을 달래 줄 편안하고 조금 밝은 곡 — 기분 전환 5단계 중 4단계")
    queue_next(stack, picks("match", "happiness", 1)[0])
    expect(page.locator("#next-up")).to_have_text("다음 곡: Sunny Day (행복한 기분에 맞춰)")
    stack.bus.publish(StatsEvent(fps=7.5, accelerator="cpu", uptime_s=7200, wall_time=time.time()))
    expect(page.locator("#stats")).to_contain_text("가동 2시간")
    page.click("#privacy")
    expect(page.locator("#privacy-state")).to_have_text("카메라 꺼짐 — 사생활 보호 모드")
    expect(page.locator("#emotion-label")).to_have_text("카메라 꺼짐 (사생활 보호)")
    expect(page.locator('#mode button[data-mode="lift"]')).to_have_text("기분 전환")
    expect(page.locator("#legend li").first).to_contain_text("화남")
    expect(page.locator("#timeline-empty")).to_have_text("이 기간에 기록된 기분이 없습니다.")
    words = english_words(page.locator("body").inner_text())
    assert words <= {"English", "Living", "room", "Sunny", "Day", "Grey", "Morning", "Hana", "fps",
                     "cpu"}, f"untranslated text on the Korean page: {sorted(words)}"
    screenshot(page, "dashboard-korean")

    page.click("#lang")  # to English: everything drawn so far is said again
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#live-h")).to_have_text("Right now")
    expect(page.locator("#mood")).to_have_text("Sadness")
    expect(page.locator("#track-reason")).to_have_text(
        "Relaxed, slightly happy track for your sad mood — lift step 4 of 5")
    expect(page.locator("#next-up")).to_have_text("Next up: Sunny Day (for your happy mood)")
    expect(page.locator("#privacy-state")).to_have_text("Camera off — privacy mode")
    expect(page.locator("#conn-text")).to_have_text("Live")
    expect(page.locator("#lang")).to_have_text("한국어")
    page.reload()  # the choice is remembered over the browser's own preference
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#live-h")).to_have_text("Right now")
    expect(page.locator("#privacy-state")).to_have_text("Camera off — privacy mode")


def test_the_korean_dialogs_are_korean(ko_page, stack: Stack) -> None:
    page = ko_page
    open_live(page, stack)
    page.click("#account")
    expect(page.locator("#signin-h")).to_have_text("브로커 로그인")
    assert english_words(page.locator("#signin").inner_text()) == set()
    page.click('#signin button[value="cancel"]')
    page.click("#btn-teach")
    expect(page.locator("#enrol-h")).to_have_text("내 얼굴 가르치기")
    expect(page.locator("#enrol-cancel")).to_have_text("취소")
    assert english_words(page.locator("#enrol").inner_text()) == set()
    page.click("#enrol-cancel")


def test_an_english_browser_can_switch_to_korean(page, stack: Stack) -> None:
    open_live(page, stack)
    expect(page.locator("#lang")).to_have_attribute("lang", "ko")
    page.click("#lang")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("#account")).to_have_text("로그인")
    expect(page.locator("#conn-text")).to_have_text("실시간")
    expect(page.locator('#bars li[data-emotion="surprise"] .name')).to_have_text("놀람")
    choice = page.evaluate("() => import('/i18n.js').then(m => m.browserChoice(['fr-FR', 'ko-KR', 'en']))")
    assert choice == "ko"  # the first of the browser's languages that the page speaks
    assert page.evaluate("() => import('/i18n.js').then(m => m.browserChoice(['de']))") == "en"


def english_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", text))
