"""The README, followed to the letter on a fresh Debian 12, where a developer machine cannot help.

A debootstrapped minbase (no python3, git, sudo, gcc or libatomic1) gets the README's first steps
(install git, clone), then its two commands: setup and the demo, then setup --dev and the tests
that need the browser (the dashboard tests), which must all pass with nothing skipped. Issue 20:
on such a machine every dashboard test errored because Playwright's node needs libatomic1.

Runs as root with debootstrap and network (CI does): about 7 minutes on two cores with warm apt
and model caches (test-artifacts/fresh-machine/timings.json has the steps).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, free_port
from tests.deploy import rootfs
from tests.fixtures.demo_health import demo_health
from tests.fresh_machine.checkout import snapshot
from tests.fresh_machine.machine import FreshMachine, Step
from today_feeling.model_store.registry import default_cache_dir

ARTIFACTS = REPO_ROOT / "test-artifacts" / "fresh-machine"
ORIGIN = "/srv/today-feeling"
"""Where the snapshot of this checkout lies inside the machine: the 'URL' the README clones."""
CHECKOUT = "/root/today-feeling"
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"
DEMO_SECONDS = 60
#: What setup must not print (setuptools' project.license deprecation, printed three times before).
SETUP_NOISE = re.compile(r"BuildBackendWarning|SetuptoolsDeprecationWarning|is deprecated|Traceback")
PROMISED = ("python3", "git", "ca-certificates", "libatomic1", "chromium", "mosquitto")
"""Installed by the README's steps, absent before: else the test would prove nothing about them."""


def readme_blocks() -> list[list[str]]:
    """The README's ```sh blocks as command lines, comments removed."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [[line.split("#")[0].strip() for line in block.strip().splitlines()] for block in blocks]


def first_steps() -> list[str]:
    """The README's "from nothing at all" lines, as root (it says: as root, or with sudo) cloning
    our snapshot."""
    steps = readme_blocks()[1]
    assert any("apt-get install -y git" in step for step in steps), steps
    assert any("<this repository's URL>" in step for step in steps), steps
    return [step.replace("sudo ", "").replace("<this repository's URL>", f"file://{ORIGIN}")
            for step in steps]


def two_commands() -> tuple[list[str], list[str]]:
    """(setup, demo) and (setup --dev, pytest): each README command split at its &&."""
    run_demo, run_tests = (command.split(" && ") for command in readme_blocks()[0])
    assert len(run_demo) == 2 and "demo" in run_demo[1], run_demo
    assert len(run_tests) == 2 and "pytest" in run_tests[1], run_tests
    return run_demo, run_tests


@dataclass
class Readme:
    """The machine a new user follows the README on, with this run's logs and step times."""

    machine: FreshMachine
    logs: Path
    timings: dict[str, int] = field(default_factory=dict)
    """Wall time per step: CI's budget for this test is ~25 minutes, and this says where they go."""

    def run(self, name: str, command: str, *, timeout: float, cwd: str = CHECKOUT) -> Step:
        step = self.machine.run(command, self.logs / f"{name}.log", timeout=timeout, cwd=cwd)
        self.timings[name] = round(step.seconds)
        return step

    def save(self) -> None:
        """Logs and times to test-artifacts/fresh-machine/ (the last run's; CI keeps them)."""
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
        shutil.copytree(self.logs, ARTIFACTS)
        (ARTIFACTS / "timings.json").write_text(json.dumps(self.timings, indent=2) + "\n")


def assert_clean_setup(step: Step) -> None:
    assert step.returncode == 0, step.tail()
    noise = [line for line in step.output.splitlines() if SETUP_NOISE.search(line)]
    assert noise == [], step.tail()


@pytest.fixture(scope="module")
def readme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Readme]:
    """A minbase Debian 12 that has followed the README's first steps: git installed, code cloned."""
    if os.geteuid() != 0:
        pytest.skip("the fresh-machine test needs root (debootstrap, chroot, mount)")
    for tool in ("debootstrap", "unshare", "git"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (apt-get install debootstrap util-linux git)")
    work = tmp_path_factory.mktemp("fresh")
    ca = Path(os.environ.get("PIP_CERT") or os.environ.get("SSL_CERT_FILE") or HOST_CA)
    pip_cache = Path(os.environ.get("PIP_CACHE_DIR") or Path.home() / ".cache" / "pip")
    started = time.monotonic()
    machine = FreshMachine.create(work / "root", ca_bundle=ca, pip_cache=pip_cache,
                                  model_wheels=default_cache_dir())
    session = Readme(machine, work / "logs")
    session.logs.mkdir()
    try:
        present = [package for package in PROMISED if machine.installed(package)]
        assert present == [], f"the base already has {present}: it is not a fresh machine"
        source = snapshot(REPO_ROOT, machine.root / ORIGIN.lstrip("/"))
        (session.logs / "source.txt").write_text(f"{source}\n")
        step = session.run("first-steps", " && ".join(first_steps()), cwd="/root", timeout=900)
        assert step.returncode == 0, step.tail()
        session.timings["fresh machine ready (total)"] = round(time.monotonic() - started)
        yield session
    finally:
        try:
            session.timings["whole test"] = round(time.monotonic() - started)
            session.save()
            rootfs.save_debs(machine.root)
        finally:
            machine.remove()


def test_the_readme_steps_are_what_the_fresh_machine_runs() -> None:
    # Pure and quick, so a README edit that this test can no longer follow fails everywhere,
    # not only on the root CI machine.
    steps = " && ".join(first_steps())
    assert "apt-get install -y git" in steps and "sudo" not in steps  # as root, as the README allows
    assert f"git clone file://{ORIGIN} today-feeling" in steps
    (setup, demo), (dev_setup, run_tests) = two_commands()
    assert (setup, dev_setup) == ("bash scripts/setup.sh", "bash scripts/setup.sh --dev")
    assert demo == "bash scripts/demo.sh" and run_tests == ".venv/bin/python -m pytest"


@pytest.mark.slow
@pytest.mark.fresh_machine
def test_setup_then_demo(readme: Readme) -> None:
    setup, demo = two_commands()[0]
    machine = readme.machine
    assert_clean_setup(readme.run("setup", setup, timeout=2400))
    assert not machine.installed("chromium"), "runtime setup installed the dev tools"
    # pip off this harness verifies TLS against the system store (here PIP_CERT stands in).
    assert machine.installed("ca-certificates")
    models = readme.run("models-verify", ".venv/bin/today-feeling models verify",
                        timeout=300)  # the README: found without flags
    assert models.returncode == 0, models.tail()

    ports = {name: str(free_port()) for name in ("MQTT_PORT", "WS_PORT", "MPD_PORT", "HTTP_PORT")}
    log = readme.logs / "demo.log"
    started = time.monotonic()
    proc = machine.start(demo, log, CHECKOUT, env={"DEMO_SECONDS": str(DEMO_SECONDS), **ports})
    try:
        health: dict[str, Any] | None = None
        while time.monotonic() < started + DEMO_SECONDS - 5 and proc.poll() is None:
            health = demo_health(int(ports["HTTP_PORT"]))  # the chroot shares the host's loopback
            services = (health or {}).get("services", {})
            if health and health.get("mood") and len(services) == 3 and all(services.values()):
                break
            time.sleep(1)
        assert health is not None, log.read_text()
        assert health["services"] == {"mqtt": True, "camera": True, "mpd": True}, health
        assert health["mood"] in {"anger", "fear", "happiness", "sadness", "surprise", "neutral"}
        assert proc.wait(timeout=DEMO_SECONDS + 60) == 0, log.read_text()[-6000:]
    finally:
        machine.stop_leftovers()  # the demo's broker and MPD too, when an assertion stopped us early
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    readme.timings["demo"] = round(time.monotonic() - started)
    text = log.read_text()
    assert "stopped after" in text, text[-6000:]
    assert [line for line in text.splitlines() if line.startswith(("WARNING", "ERROR"))] == [], text


@pytest.mark.slow
@pytest.mark.fresh_machine
def test_dev_setup_then_dashboard_tests(readme: Readme) -> None:
    setup, pytest_command = two_commands()[1]
    assert_clean_setup(readme.run("setup-dev", setup, timeout=3600))
    assert readme.machine.installed("libatomic1"), "Playwright's node needs libatomic1 (issue 20)"

    report = "/tmp/web-junit.xml"
    step = readme.run("pytest-web", f"{pytest_command} tests/web -p no:cacheprovider -rs --junitxml={report}",
                      timeout=1800)
    assert step.returncode == 0, step.tail()
    suite = ET.parse(readme.machine.root / report.lstrip("/")).getroot().find("testsuite")
    assert suite is not None
    assert int(suite.get("tests", "0")) >= 50, step.tail()  # the whole dashboard slice ran
    assert (suite.get("failures"), suite.get("errors")) == ("0", "0"), step.tail()
    # A skip for a missing system package (chromium, mosquitto) is what a fresh machine must
    # not have; only data that never ships with a clone (../shared) may be absent.
    skips = [skipped.get("message", "") for skipped in suite.iter("skipped")]
    assert [reason for reason in skips if "../shared" not in reason] == [], skips
