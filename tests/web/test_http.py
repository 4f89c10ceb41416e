"""The dashboard's HTTP server over real sockets: static files, read-only API, /metrics format."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest

from today_feeling import __version__
from today_feeling.config.settings import DeviceSettings, ModelSettings, Settings
from today_feeling.config.web import HistorySettings, HttpSettings, split_bind
from today_feeling.domain.analysis import FrameAnalysis
from today_feeling.domain.controls import Controls, ControlState
from today_feeling.domain.mood import MoodState
from today_feeling.events import (
    AnalysisEvent,
    EventBus,
    MoodChanged,
    ServiceStatus,
    StatsEvent,
    TrackChanged,
)
from today_feeling.inference.build import detector_keys
from today_feeling.web import HttpServer, build_service
from today_feeling.web.device_info import detectors
from today_feeling.web.metrics import STATS_STALE_S, STATUSES, MetricsCollector

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[HttpServer, EventBus]]:
    settings = Settings(device=DeviceSettings(id="desk"), http=HttpSettings(bind="127.0.0.1:0"),
                        history=HistorySettings(path=str(tmp_path / "h.sqlite3")))
    bus = EventBus()
    server = build_service(settings, bus, Controls(ControlState(privacy=True, volume=40)))
    assert server is not None
    server.start()
    assert server.wait_bound(10)
    yield server, bus
    server.stop()


def get(server: HttpServer, path: str, method: str = "GET",
        headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        res = conn.getresponse()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
    finally:
        conn.close()


def test_disabled_when_bind_is_empty() -> None:
    assert build_service(Settings(http=HttpSettings(bind="")), EventBus(), Controls()) is None


@pytest.mark.parametrize(("bind", "expected"), [
    ("0.0.0.0:8080", ("0.0.0.0", 8080)), ("[::]:8080", ("::", 8080)),
    ("speaker.local:80", ("speaker.local", 80))])
def test_bind_parsing(bind: str, expected: tuple[str, int]) -> None:
    assert split_bind(bind) == expected


@pytest.mark.parametrize("bind", ["8080", "host:", ":8080", "a:99999", "a b:1"])
def test_bad_bind_is_refused(bind: str) -> None:
    with pytest.raises(ValueError, match=r"ADDR:PORT|port"):
        HttpSettings(bind=bind)


def test_page_and_assets_are_served_compressed_with_etags(served) -> None:
    server, _ = served
    status, headers, body = get(server, "/")
    assert status == 200
    assert b'id="timeline"' in body
    assert "default-src 'self'" in headers["content-security-policy"]
    status, headers, body = get(server, "/vendor/mqtt.min.js", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body).startswith(b'"use strict";var mqtt=')
    status, _, _ = get(server, "/vendor/mqtt.min.js", headers={"If-None-Match": headers["etag"]})
    assert status == 304
    status, headers, body = get(server, "/icons/icon-192.png")
    assert status == 200
    assert headers["content-type"] == "image/png"
    assert body[:4] == b"\x89PNG"


@pytest.mark.parametrize("path", ["/../config/web.py", "/%2e%2e/server.py", "/static/app.js",
                                  "/server.py", "/nope"])
def test_nothing_outside_the_static_table_is_served(served, path: str) -> None:
    assert get(served[0], path)[0] == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_server_is_read_only(served, method: str) -> None:
    status, headers, _ = get(served[0], "/api/config", method)
    assert status == 405
    assert headers["allow"] == "GET, HEAD"


def test_config_and_history_endpoints(served) -> None:
    server, _ = served
    status, _, body = get(server, "/api/config")
    assert status == 200
    assert json.loads(body) == {"base": "today_feeling/desk", "device_id": "desk",
                                "device_name": "Today Feeling", "ws_url": "", "ws_port": 9001,
                                "history": True}
    assert get(server, "/api/history?range=century")[0] == 400
    assert get(server, "/api/summary?days=0")[0] == 400
    status, _, body = get(server, "/api/history?range=day")
    assert status == 200
    assert json.loads(body)["segments"] == []
    status, _, body = get(server, "/healthz")
    assert status == 200
    assert json.loads(body)["status"] == "starting"  # no stats from the pipeline yet


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})?'
                    r" (-?[0-9.e+-]+|NaN|[+-]Inf)$")


def parse_prometheus(text: str) -> dict[str, list[str]]:
    """Check the text exposition format line by line; return family -> sample lines."""
    assert text.endswith("\n")
    families: dict[str, list[str]] = {}
    types: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in ("gauge", "counter")
            assert name not in types, line
            types[name] = kind
            families[name] = []
            continue
        match = SAMPLE.match(line)
        assert match, f"bad sample line: {line!r}"
        name = match.group(1)
        assert name in types, f"sample before its TYPE: {line!r}"
        assert types[name] != "counter" or name.endswith("_total")
        families[name].append(line)
    return families


def test_metrics_follow_bus_events(served) -> None:
    server, bus = served
    bus.publish(StatsEvent(fps=6.5, stage_ms={"detect": 14.0, "emotion": 4.5},
                           accelerator="edgetpu", cpu_temp_c=55.5, uptime_s=100.0,
                           wall_time=time.time()))
    for mood in ("sadness", "happiness"):
        state = MoodState(mood, 0.7, None, None, True, True)
        bus.publish(MoodChanged(None, state, time.time()))
    bus.publish(TrackChanged(file="x.mp3"))
    bus.publish(ServiceStatus("mpd", True))
    bus.publish(ServiceStatus("mqtt", False, "refused"))
    status, headers, body = get(server, "/metrics")
    assert status == 200
    assert headers["content-type"].startswith("text/plain; version=0.0.4")
    fam = parse_prometheus(body.decode())
    assert fam["today_feeling_fps"] == ["today_feeling_fps 6.5"]
    assert 'today_feeling_stage_latency_seconds{stage="detect"} 0.014' in \
        fam["today_feeling_stage_latency_seconds"]
    assert fam["today_feeling_mood_changes_total"] == ["today_feeling_mood_changes_total 2"]
    assert fam["today_feeling_tracks_played_total"] == ["today_feeling_tracks_played_total 1"]
    assert 'today_feeling_mood{mood="happiness"} 1' in fam["today_feeling_mood"]
    assert 'today_feeling_service_connected{service="mpd"} 1' in \
        fam["today_feeling_service_connected"]
    assert 'today_feeling_service_connected{service="mqtt"} 0' in \
        fam["today_feeling_service_connected"]
    assert fam["today_feeling_privacy_enabled"] == ["today_feeling_privacy_enabled 1"]
    assert fam["today_feeling_volume_percent"] == ["today_feeling_volume_percent 40.0"]
    assert 'accelerator="edgetpu"' in fam["today_feeling_build_info"][0]


def test_metrics_before_any_event_have_no_fake_values(served) -> None:
    fam = parse_prometheus(get(served[0], "/metrics")[2].decode())
    assert "today_feeling_fps" not in fam
    assert fam["today_feeling_mood_changes_total"] == ["today_feeling_mood_changes_total 0"]


def test_a_taken_port_is_retried_not_fatal(served) -> None:
    taken = served[0].port
    settings = Settings(http=HttpSettings(bind=f"127.0.0.1:{taken}"),
                        history=HistorySettings(path=""))
    second = build_service(settings, EventBus(), Controls())
    assert second is not None
    threads = threading.active_count()
    second.start()
    try:
        assert not second.wait_bound(2.0)  # a few retries (0.5 s, 1 s, ...)
        assert threading.active_count() <= threads + 1  # only its own thread: no workers leak per try
    finally:
        started = time.monotonic()
        second.stop()
        assert time.monotonic() - started < 5


@pytest.mark.parametrize(("verdict", "code", "healthy"), [("ok", 200, "1.0"), ("stalled", 503, "0.0"),
                                                         ("starting", 200, "0.0")])
def test_healthz_carries_the_supervisors_verdict(served, verdict: str, code: int, healthy: str) -> None:
    server, bus = served
    bus.publish(StatsEvent(fps=0.0, uptime_s=60.0, wall_time=time.time(), pipeline=verdict))
    status, _, body = get(server, "/healthz")
    assert (status, json.loads(body)["status"]) == (code, verdict)
    samples = parse_prometheus(get(server, "/metrics")[2].decode())
    assert samples["today_feeling_pipeline_healthy"] == [f"today_feeling_pipeline_healthy {healthy}"]


def test_stats_that_stop_arriving_read_as_stalled() -> None:
    now = [1000.0]
    bus = EventBus()
    collector = MetricsCollector(bus, Controls(ControlState()), clock=lambda: now[0])
    assert collector.health()["status"] == "starting"
    bus.publish(StatsEvent(fps=8.0, wall_time=now[0], pipeline="ok"))
    now[0] += STATS_STALE_S - 1
    assert collector.health()["status"] == "ok"
    now[0] += 2  # the supervisor loop has missed three stats periods: it is stuck
    health = collector.health()
    assert health["status"] == "stalled"
    assert health["stats_age_s"] == pytest.approx(STATS_STALE_S + 1)


def test_build_info_names_the_device_and_its_models(served: tuple[HttpServer, EventBus]) -> None:
    server, bus = served
    bus.publish(StatsEvent(fps=5.0, accelerator="cpu", wall_time=time.time()))
    fam = parse_prometheus(get(server, "/metrics")[2].decode())
    labels = (f'device="desk",version="{__version__}",accelerator="cpu",'
              'detector_model="blazeface_short+blazeface_full",emotion_model="emotion_today_feeling_v5"')
    assert fam["today_feeling_build_info"] == ["today_feeling_build_info{" + labels + "} 1"]


@pytest.mark.parametrize("mode", ["auto", "short", "full"])
def test_build_info_detectors_are_the_ones_the_recogniser_loads(
        mode: Literal["auto", "short", "full"]) -> None:
    settings = Settings(models=ModelSettings(detector=mode, short_detector="blazeface_short_int8"))
    assert detectors(settings) == list(detector_keys(settings).values())


def test_service_up_tells_an_enabled_service_that_never_connected_from_one_turned_off(
        served: tuple[HttpServer, EventBus]) -> None:
    server, bus = served  # MPD at its default address, no MQTT url, a history file
    fam = parse_prometheus(get(server, "/metrics")[2].decode())
    assert fam["today_feeling_service_up"] == ['today_feeling_service_up{service="history"} 1',
                                               'today_feeling_service_up{service="mpd"} 0']
    bus.publish(ServiceStatus("mpd", True, "localhost:6600"))
    bus.publish(ServiceStatus("camera", False, "retrying"))
    fam = parse_prometheus(get(server, "/metrics")[2].decode())
    assert fam["today_feeling_service_up"] == ['today_feeling_service_up{service="camera"} 0',
                                               'today_feeling_service_up{service="history"} 1',
                                               'today_feeling_service_up{service="mpd"} 1']


def test_health_status_is_the_healthz_verdict_one_hot(served: tuple[HttpServer, EventBus]) -> None:
    server, bus = served

    def statuses() -> dict[str, str]:
        rows = parse_prometheus(get(server, "/metrics")[2].decode())["today_feeling_health_status"]
        return {row.split('"')[1]: row.rsplit(" ", 1)[1] for row in rows}  # status="…"} 0|1

    assert statuses() == {name: "1" if name == "starting" else "0" for name in STATUSES}
    bus.publish(StatsEvent(fps=0.0, wall_time=time.time(), pipeline="stalled"))
    assert statuses() == {name: "1" if name == "stalled" else "0" for name in STATUSES}
    bus.publish(ServiceStatus("camera", False, "retrying: gone"))
    assert statuses()["camera lost"] == "1"
    assert json.loads(get(server, "/healthz")[2])["status"] == "camera lost"


def test_last_analysis_time_comes_from_the_analysed_frame(served: tuple[HttpServer, EventBus]) -> None:
    server, bus = served
    assert "today_feeling_last_analysis_timestamp_seconds" not in \
        parse_prometheus(get(server, "/metrics")[2].decode())
    state = MoodState(None, 0.0, None, None, False, False)
    bus.publish(AnalysisEvent(FrameAnalysis(index=3, t=1.0, faces=(), primary=None), state, 1_700_000_123.5))
    fam = parse_prometheus(get(server, "/metrics")[2].decode())
    assert fam["today_feeling_last_analysis_timestamp_seconds"] == [
        "today_feeling_last_analysis_timestamp_seconds 1700000123.5"]
