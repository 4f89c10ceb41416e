"""The Grafana fleet dashboard cannot drift from the exposition: every metric its queries name is
in a real daemon's /metrics, and every query runs on a real Prometheus scraping the fleet."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from tests.fleet_monitoring.devices import Device
from tests.fleet_monitoring.prom import Prometheus, wait_for

DASHBOARD = REPO_ROOT / "docs" / "grafana" / "today-feeling-fleet.json"
#: Series Prometheus itself makes: scrape health and the alerts it evaluates.
PROMETHEUS_SERIES = {"up", "ALERTS"}
#: What Grafana puts in for its variables when every group and device is shown.
VARIABLES = {"$group": ".*", "$device": ".*", "$__rate_interval": "1m", "$__interval": "15s"}
#: Queries that may rightly be empty on a healthy fleet (no alert is firing).
MAY_BE_EMPTY = {"Firing alerts"}
_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
             "unless", "offset", "inf", "nan"}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (not functions, keywords, labels or variables)."""
    text = re.sub(r'"(\\.|[^"\\])*"', '""', expr)  # strings first: they may hold braces
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\{?\w+\}?", " ", text)  # Grafana variables
    names = set(re.findall(r"(?<![\w:.$])([A-Za-z_:][A-Za-z0-9_:]*)(?![\w:]|\s*\()", text))
    return {n for n in names if n.lower() not in _KEYWORDS}


def panel_queries(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    """(panel title, expression) for every query of every panel."""
    return [(p["title"], t["expr"]) for p in dashboard["panels"] for t in p.get("targets", [])]


def variable_queries(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    """(variable name, label_values(...) query) for each query variable."""
    return [(v["name"], v["definition"]) for v in dashboard["templating"]["list"] if v["type"] == "query"]


def as_promql(expr: str) -> str:
    """The query Grafana sends for ``expr`` with every group and device shown; label_values(s, l)
    asks for the series ``s``."""
    for name, value in VARIABLES.items():
        expr = expr.replace(name, value)
    if expr.startswith("label_values("):
        expr = expr[len("label_values("):].rsplit(",", 1)[0]
    return expr


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return doc


def test_the_name_finder_finds_names_and_nothing_else() -> None:
    expr = ('sum by (device) (increase(today_feeling_mood_changes_total{job="x",device=~"$device"}'
            '[$__rate_interval])) / on(device) group_left() count(up == 0) or vector(0) > bool 1e3'
            ' and time() - ALERTS{alertstate="firing"}')
    assert metric_names(expr) == {"today_feeling_mood_changes_total", "up", "ALERTS"}


def test_every_panel_reads_the_chosen_prometheus(dashboard: dict[str, Any]) -> None:
    (variable,) = [v for v in dashboard["templating"]["list"] if v["type"] == "datasource"]
    assert (variable["name"], variable["query"]) == ("datasource", "prometheus")
    uses = {json.dumps(p["datasource"]) for p in dashboard["panels"]}
    uses |= {json.dumps(t["datasource"]) for p in dashboard["panels"] for t in p["targets"]}
    assert uses == {json.dumps({"type": "prometheus", "uid": "${datasource}"})}
    titles = {title for title, _ in panel_queries(dashboard)}
    for wanted in ("Devices up", "Frames analysed per second", "Stage latency", "Mood", "CPU temperature",
                   "Firing alerts"):
        assert wanted in titles


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_every_dashboard_metric_is_in_a_daemons_real_output(
        dashboard: dict[str, Any], fleet: dict[str, Device]) -> None:
    device = fleet["dev-b"]
    if device.thermal_mc is None:
        pytest.skip("needs root and unshare to give the daemon a thermal zone (CPU temperature)")
    queries = panel_queries(dashboard) + variable_queries(dashboard)
    wanted = set().union(*(metric_names(as_promql(expr)) for _, expr in queries)) - PROMETHEUS_SERIES
    assert len(wanted) >= 8, wanted

    def families() -> set[str] | None:
        names = {line.split(" ")[2] for line in device.metrics().splitlines() if line.startswith("# TYPE ")}
        return names if wanted <= names else None  # stage latencies follow the first analysed frames

    try:
        wait_for("every dashboard metric in /metrics", families, timeout=60)
    except AssertionError:
        missing = wanted - {line.split(" ")[2] for line in device.metrics().splitlines()
                            if line.startswith("# TYPE ")}
        pytest.fail(f"the dashboard reads metrics the daemon does not export: {sorted(missing)}")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_every_dashboard_query_runs_on_the_fleets_prometheus(
        dashboard: dict[str, Any], prometheus: Prometheus) -> None:
    """Each query parses (a PromQL error fails at once) and, within a minute of scraping (a first
    committed mood, two samples for increase()), returns data."""
    queries = panel_queries(dashboard) + variable_queries(dashboard)
    pending = {(title, as_promql(expr)) for title, expr in queries}

    def still_empty() -> bool:
        for title, expr in sorted(pending):
            if prometheus.api("query", query=expr)["result"] or title in MAY_BE_EMPTY:
                pending.discard((title, expr))
        return not pending

    try:
        wait_for("data from every dashboard query", still_empty, timeout=60, interval=2)
    except AssertionError:
        pytest.fail(f"queries with no data on a running fleet: {sorted(pending)}")
