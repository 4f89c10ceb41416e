"""The Prometheus files ansible/monitoring.yml writes from an inventory: targets with the right
addresses and labels, a config and rules promtool accepts, and alerts that fire exactly when
the committed rule tests say (and not with other durations)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.paths import ANSIBLE_DIR, tool
from tests.fleet_monitoring.render import (
    ALERTS_TEST,
    ROLE_DIR,
    ansible_env,
    inventory,
    promtool,
    render,
    run_playbook,
)

pytestmark = pytest.mark.timeout(300)

FLEET = inventory(
    {"livingroom": {"ansible_host": "192.168.1.40"},
     "kitchen.lan": {"ansible_host": "fd00::41", "today_feeling_prometheus_port": 9090},
     "office": {"today_feeling_device_id": "office-3", "today_feeling_prometheus_device_group": "work"},
     "bench": {"ansible_host": "10.0.5.12"}},
    children={"lab": ["bench"]})


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The role's defaults rendered for FLEET, with a scrape login and an Alertmanager."""
    return render(tmp_path_factory.mktemp("render") / "prometheus", FLEET,
                  today_feeling_prometheus_basic_auth_username="reader",
                  today_feeling_prometheus_basic_auth_password_file="/etc/prometheus/reader.secret",
                  today_feeling_prometheus_alertmanagers=["127.0.0.1:9093"])


def test_targets_name_each_device_its_address_port_and_group(rendered: Path) -> None:
    targets = yaml.safe_load((rendered / "today-feeling-targets.yml").read_text())
    assert sorted(targets, key=lambda t: t["labels"]["device"]) == [
        {"targets": ["10.0.5.12:8080"], "labels": {"device": "bench", "group": "lab"}},
        {"targets": ["[fd00::41]:9090"], "labels": {"device": "kitchen", "group": "today_feeling"}},
        {"targets": ["192.168.1.40:8080"], "labels": {"device": "livingroom", "group": "today_feeling"}},
        {"targets": ["office:8080"], "labels": {"device": "office-3", "group": "work"}},
    ]


def test_prometheus_yml_discovers_the_targets_file_and_logs_in(rendered: Path) -> None:
    config = yaml.safe_load((rendered / "prometheus.yml").read_text())
    assert config["rule_files"] == ["today-feeling-alerts.yml"]
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["127.0.0.1:9093"]
    (job,) = config["scrape_configs"]
    assert job["job_name"] == "today_feeling" and job["metrics_path"] == "/metrics"
    assert job["file_sd_configs"] == [{"files": ["today-feeling-targets.yml"], "refresh_interval": "1m"}]
    assert job["basic_auth"] == {"username": "reader", "password_file": "/etc/prometheus/reader.secret"}


def test_promtool_accepts_the_config_with_its_targets_and_the_rules(rendered: Path) -> None:
    config = promtool("check", "config", "prometheus.yml", cwd=rendered)
    assert config.returncode == 0, config.stdout + config.stderr
    assert "1 rule files found" in config.stdout + config.stderr
    rules = promtool("check", "rules", "today-feeling-alerts.yml", cwd=rendered)
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert "5 rules found" in rules.stdout + rules.stderr


def test_each_alert_fires_when_its_rule_test_says(rendered: Path) -> None:
    shutil.copy(ALERTS_TEST, rendered / ALERTS_TEST.name)
    result = promtool("test", "rules", ALERTS_TEST.name, cwd=rendered)
    assert result.returncode == 0, result.stdout + result.stderr
    tested = {rule["alertname"] for case in yaml.safe_load(ALERTS_TEST.read_text())["tests"]
              for rule in case["alert_rule_test"]}
    rules = yaml.safe_load((rendered / "today-feeling-alerts.yml").read_text())["groups"][0]["rules"]
    assert tested == {rule["alert"] for rule in rules}  # no alert without a test


def test_the_durations_are_the_roles_variables(tmp_path: Path) -> None:
    """Shorter durations and a higher threshold render into the rules: the committed tests, written
    for the defaults, then fail exactly on the offline and CPU alerts."""
    out = render(tmp_path / "short", FLEET, today_feeling_prometheus_offline_for="1m",
                 today_feeling_prometheus_cpu_temperature_celsius=85,
                 today_feeling_prometheus_scrape_interval="1s", today_feeling_prometheus_scrape_timeout="1s",
                 today_feeling_prometheus_evaluation_interval="1s")
    config = yaml.safe_load((out / "prometheus.yml").read_text())
    assert config["global"] == {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"}
    assert "basic_auth" not in config["scrape_configs"][0] and "alerting" not in config
    shutil.copy(ALERTS_TEST, out / ALERTS_TEST.name)
    result = promtool("test", "rules", ALERTS_TEST.name, cwd=out)
    assert result.returncode != 0
    report = result.stdout + result.stderr
    failed = {line.split("alertname: ")[1].split(",")[0] for line in report.splitlines()
              if "alertname: " in line}
    assert failed == {"TodayFeelingDeviceOffline", "TodayFeelingCpuHot"}, report


def test_a_rule_promtool_refuses_is_never_written(tmp_path: Path) -> None:
    result = run_playbook(tmp_path / "bad", FLEET, today_feeling_prometheus_offline_for="five minutes")
    assert result.returncode != 0
    assert "Write the alert rules" in result.stdout and 'not a valid duration string: "five minutes"' in \
        result.stdout, result.stdout[-2000:]
    assert not (tmp_path / "bad" / "today-feeling-alerts.yml").exists()


def test_an_empty_group_renders_an_empty_target_list(tmp_path: Path) -> None:
    out = render(tmp_path / "empty", {"all": {"children": {"today_feeling": {"hosts": {}}}}},
                 today_feeling_prometheus_write_main_config=False)
    assert yaml.safe_load((out / "today-feeling-targets.yml").read_text()) == []
    assert not (out / "prometheus.yml").exists()


def test_the_playbook_passes_its_syntax_check(tmp_path: Path) -> None:
    result = subprocess.run(
        [tool("ansible-playbook"), "-i", "inventory.example.yml", "--syntax-check", "monitoring.yml"],
        cwd=ANSIBLE_DIR, env=ansible_env(tmp_path), check=False, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_role_argument_specs_cover_every_default() -> None:
    defaults = yaml.safe_load((ROLE_DIR / "defaults" / "main.yml").read_text())
    options = yaml.safe_load((ROLE_DIR / "meta" / "argument_specs.yml").read_text())[
        "argument_specs"]["main"]["options"]
    assert set(defaults) == set(options), sorted(set(defaults) ^ set(options))
    assert all(options[name].get("default") == value for name, value in defaults.items()), \
        [name for name, value in defaults.items() if options[name].get("default") != value]
    assert all(name.startswith("today_feeling_prometheus_") for name in options)
