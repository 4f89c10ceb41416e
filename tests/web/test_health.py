"""Honest health: /healthz says 503 with the reason when the camera is lost, a service stays
down, or frames stop — and 200 again when they come back; the frame rate decays to 0."""

from __future__ import annotations

import http.client
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.daemon import Daemon, free_port
from tests.media import media
from today_feeling.domain.controls import Controls
from today_feeling.domain.mood import MoodState
from today_feeling.events import EventBus, MoodChanged, ServiceStatus, StatsEvent
from today_feeling.history.service import HistoryService
from today_feeling.history.store import HistoryStore
from today_feeling.stats import RollingStats
from today_feeling.web.device_info import DeviceInfo
from today_feeling.web.metrics import SERVICE_DOWN_S, MetricsCollector


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_lost_camera_or_a_service_down_for_a_minute_is_unhealthy_until_it_returns() -> None:
    bus, clock = EventBus(), Clock()
    metrics = MetricsCollector(bus, Controls(), clock=clock)
    bus.publish(StatsEvent(fps=8.0, pipeline="ok"))
    assert metrics.health()["status"] == "ok"
    bus.publish(ServiceStatus("camera", False, "retrying: /dev/video0 gave no frame"))
    health = metrics.health()
    assert (health["status"], health["reason"]) == ("camera lost", "retrying: /dev/video0 gave no frame")
    bus.publish(ServiceStatus("camera", True, "streaming"))
    assert metrics.health()["status"] == "ok"
    bus.publish(ServiceStatus("mqtt", False, "connection refused"))
    clock.t += SERVICE_DOWN_S / 2
    assert metrics.health()["status"] == "ok"  # a blip is not a fault
    clock.t += SERVICE_DOWN_S
    bus.publish(StatsEvent(fps=8.0, pipeline="ok"))
    health = metrics.health()
    assert health["status"] == "degraded" and "mqtt down for 90 s" in str(health["reason"])
    bus.publish(ServiceStatus("mqtt", True, "broker"))
    assert metrics.health()["status"] == "ok"


def test_metrics_tell_when_the_history_last_wrote(tmp_path: Path) -> None:
    bus = EventBus()
    metrics = MetricsCollector(bus, Controls())
    history = HistoryService(lambda: HistoryStore(tmp_path / "h.sqlite3", 90, 1000), bus)
    history.start()
    try:
        assert "history_last_write" not in metrics.render()  # nothing written yet: absent, not 0
        bus.publish(MoodChanged(None, MoodState("happiness", 0.8, None, None, True, True), 1234.5))
        assert history.flush()
        line = next(row for row in metrics.render().splitlines()
                    if row.startswith("today_feeling_history_last_write_timestamp_seconds "))
        assert float(line.split()[1]) > 1_000_000_000  # the wall time of the write
    finally:
        history.stop()


def metric(text: str, name: str) -> str | None:
    """The value of the sample line starting with ``name`` (with its labels), None if absent."""
    line = next((row for row in text.splitlines() if row.startswith(name + " ")), None)
    return None if line is None else line.rsplit(" ", 1)[1]


def test_each_failed_history_write_is_counted_until_the_disk_takes_rows_again(tmp_path: Path) -> None:
    bus = EventBus()
    failures: list[str] = []
    bus.subscribe(ServiceStatus, lambda e: failures.append(e.detail) if not e.connected else None)
    metrics = MetricsCollector(bus, Controls(), info=DeviceInfo(expected=(("history", True),)))
    blocker = tmp_path / "disk"
    blocker.write_text("a file where the history's folder should be")  # opening it fails for real
    history = HistoryService(lambda: HistoryStore(blocker / "h.sqlite3", 90, 1000), bus)
    assert metric(metrics.render(), "today_feeling_history_write_failures_total") == "0"
    history.start()
    try:
        deadline = time.monotonic() + 10
        while len(failures) < 2 and time.monotonic() < deadline:  # retried after ~1 s
            time.sleep(0.05)
        text = metrics.render()
        assert len(failures) >= 2 and "cannot open the history file" in failures[0]
        assert metric(text, "today_feeling_history_write_failures_total") == str(len(failures))
        assert metric(text, 'today_feeling_service_up{service="history"}') == "0"
        blocker.unlink()
        blocker.mkdir()  # room again: the next retry opens the file
        bus.publish(MoodChanged(None, MoodState("happiness", 0.8, None, None, True, True), 1234.5))
        assert history.flush(timeout=15)
        text = metrics.render()
        assert metric(text, 'today_feeling_service_up{service="history"}') == "1"
        assert metric(text, "today_feeling_history_write_failures_total") == str(len(failures))
        assert metric(text, "today_feeling_history_last_write_timestamp_seconds") is not None
    finally:
        history.stop()


def test_the_frame_rate_decays_to_zero_when_frames_stop() -> None:
    stats = RollingStats()
    for i in range(80):
        stats.add(100.0 + i / 8, {})
    assert stats.fps(110.0) == pytest.approx(8.0, rel=0.05)
    assert stats.fps(115.0) < 5.0
    assert stats.fps(125.0) == 0.0


def healthz(port: int) -> tuple[int, dict[str, object]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def wait_health(port: int, status: int, timeout: float) -> dict[str, object]:
    deadline, seen = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            code, doc = healthz(port)
            if code == status:
                return doc
            seen = (code, doc)
        except OSError as err:
            seen = err  # type: ignore[assignment]
        time.sleep(0.5)
    raise AssertionError(f"/healthz never answered {status}; last: {seen}")


@pytest.fixture
def daemon(tmp_path: Path, models_dir: Path) -> Iterator[tuple[Daemon, int, Path]]:
    port = free_port()
    video = tmp_path / "camera.mp4"
    shutil.copy(media("single_face.mp4"), video)
    runner = Daemon(tmp_path, models_dir, "health1",
                    f'[http]\nbind = "127.0.0.1:{port}"\n[capture]\nretry_max_s = 1.0\n')
    runner.start(video, "")
    yield runner, port, video
    runner.kill_all()


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_healthz_turns_503_when_the_source_vanishes_and_200_when_it_returns(
        daemon: tuple[Daemon, int, Path]) -> None:
    runner, port, video = daemon
    try:
        wait_health(port, 200, timeout=90)
    except AssertionError:
        pytest.fail(f"never healthy:\n{runner.log()[-3000:]}")
    hidden = video.with_suffix(".gone")
    video.rename(hidden)  # the camera goes away: the looped source cannot reopen it
    doc = wait_health(port, 503, timeout=20)  # pipeline.watchdog_stall_s
    assert doc["status"] == "camera lost" and doc["reason"]
    hidden.rename(video)
    wait_health(port, 200, timeout=30)
