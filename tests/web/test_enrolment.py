"""The dashboard's guided enrolment, in Chromium, against the real daemon on a replayed video:
six expressions with a countdown, a profile written that holds no image data, then active."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.fixtures.broker import Broker
from tests.fixtures.daemon import Daemon, free_port
from tests.media import media
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]

DEVICE = "enrol1"
ENROL_TIMEOUT_MS = 120_000  # six steps of 3 s countdown + 1 s collection, on a busy machine


@pytest.fixture
def daemon(tmp_path: Path, models_dir: Path, ws_broker: Broker) -> Iterator[tuple[Daemon, str]]:
    port = free_port()
    extra = (f'[http]\nbind = "127.0.0.1:{port}"\n[profiles]\ndir = "{tmp_path}/profiles"\n'
             "enrol_seconds = 1.0\n")
    runner = Daemon(tmp_path, models_dir, DEVICE, extra)
    runner.start(media("single_face.mp4"), ws_broker.url, "--mqtt-ws", ws_broker.ws_url)
    yield runner, f"http://127.0.0.1:{port}/"
    runner.kill_all()


def test_teach_it_your_face_writes_an_image_free_profile_and_activates_it(
        page, daemon: tuple[Daemon, str], tmp_path: Path) -> None:
    runner, url = daemon
    for _ in range(60):  # the daemon loads its models before it serves the page
        try:
            page.goto(url, timeout=2_000)
            break
        except Exception:
            page.wait_for_timeout(1_000)
    else:
        pytest.fail(f"dashboard never came up:\n{runner.log()[-3000:]}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live", timeout=60_000)
    expect(page.locator("#faces")).to_contain_text("face", timeout=30_000)  # the listener is in view
    page.locator("#btn-teach").click()
    page.locator("#enrol-name").fill("민지")
    page.locator("#enrol-start").click()
    expect(page.locator("#enrol-prompt")).to_contain_text("Show anger")
    expect(page.locator("#enrol-prompt")).to_contain_text("profile is active", timeout=ENROL_TIMEOUT_MS)
    expect(page.locator('#enrol-steps li[data-state="done"]')).to_have_count(6)
    screenshot(page, "enrolment-done")
    expect(page.locator("#profile-select")).to_have_value("민지", timeout=10_000)

    path = tmp_path / "profiles" / "민지.json"
    doc = json.loads(path.read_text())
    assert path.stat().st_mode & 0o077 == 0
    assert {s["emotion"] for s in doc["samples"]} == {"anger", "fear", "happiness", "sadness",
                                                       "surprise", "neutral"}
    assert set(doc) == {"format", "name", "model", "created", "samples"}
    for sample in doc["samples"]:
        assert set(sample) == {"t", "emotion", "source", "batch", "embedding_f16"}
        assert len(sample["embedding_f16"]) == 1024  # 384 float16 values, base64: no pixels
    assert re.search(r"profile 민지 active", runner.log())

    page.locator('#correct button[data-correct="sadness"]').click()
    expect(page.locator('#corrections button[data-undo]')).to_have_count(1, timeout=15_000)
    page.locator('#corrections button[data-undo]').click()
    expect(page.locator('#corrections button[data-undo]')).to_have_count(0, timeout=15_000)
