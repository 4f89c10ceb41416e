"""The real daemon under the real unit: READY=1, the credential, the watchdog, SIGTERM, exit 78.

The repository's unit file runs the daemon (on a looping sample video, MQTT to a password-
protected mosquitto on loopback) as a service of a private systemd user manager. Changed for
that: no User=/Group= (a user manager cannot switch users), ExecStart= and the credential's
source point into the test folder, and the three file-visibility settings container runtimes
refuse are dropped (see test_unit_sandbox.py). Type=notify, WatchdogSec=, Restart=,
RestartPreventExitStatus=, LoadCredential= and every other sandbox setting are the unit's own.
"""

from __future__ import annotations

import contextlib
import getpass
import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.conftest import free_port
from tests.deploy import rootfs
from tests.deploy.paths import ANSIBLE_DIR, UNIT_FILE, checkout_binds
from tests.deploy.role_dropin import render_role_dropin
from tests.deploy.test_unit_sandbox import FILE_VISIBILITY_ONLY
from tests.deploy.user_manager import UserManager, UserManagerError
from tests.media import media
from tests.support.wait import wait_for

UNIT = "today-feeling.service"
BAD_UNIT = "today-feeling-badconfig.service"
DEVICE = "unit-test"
PASSWORD = "unit-test-password"
READY_TIMEOUT_S = 200
_RIG_IDS = itertools.count()


def hash_entry(password: str, user: str) -> str:
    import importlib.util

    path = ANSIBLE_DIR / "roles/today_feeling/filter_plugins/mosquitto.py"
    spec = importlib.util.spec_from_file_location("tf_mosquitto_filter", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return f"{user}:{module.mosquitto_hash(password, 'test', user)}"


def unit_text(base: Path, config: Path) -> str:
    """The repository's unit, adapted to a user manager as the module docstring says."""
    dropped = {"User", "Group", *FILE_VISIBILITY_ONLY}
    replaced = {
        "ExecStart": f"ExecStart={Path(sys.executable).parent / 'today-feeling'} run --config {config}",
        "LoadCredential": f"LoadCredential=mqtt-password:{base / 'credentials' / 'mqtt-password'}",
    }
    lines = []
    for line in UNIT_FILE.read_text().splitlines():
        key = line.split("=", 1)[0]
        if key not in dropped:
            lines.append(replaced.get(key, line))
        if line == "[Service]":
            lines.extend(checkout_binds())
    return "\n".join(lines) + "\n"


def config_text(base: Path, state: Path, broker_port: int, fps: float = 15.0) -> str:
    return f"""
[device]
id = "{DEVICE}"
[capture]
source = "{base / 'sample.mp4'}"
replay_loop = true
fps = {fps}
[models]
dir = "{base / 'models'}"
[privacy]
state_file = "{state / 'privacy'}"
[mpd]
address = "off"
[mqtt]
url = "mqtt://{DEVICE}@127.0.0.1:{broker_port}"
[http]
bind = ""
[history]
path = "{state / 'history.sqlite3'}"
"""


@dataclass
class Rig:
    manager: UserManager
    broker_port: int
    base: Path


def start_broker(base: Path, port: int) -> subprocess.Popen[bytes]:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    passwd = base / "mosquitto.passwd"
    passwd.write_text(hash_entry(PASSWORD, DEVICE) + "\n")
    conf = base / "mosquitto.conf"
    conf.write_text(f"user {getpass.getuser()}\nlistener {port} 127.0.0.1\n"
                    f"allow_anonymous false\npassword_file {passwd}\n")
    return subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def prepare(base: Path, models_dir: Path, broker_port: int, manager: UserManager) -> None:
    shutil.copytree(models_dir, base / "models")
    shutil.copy(media("single_face.mp4"), base / "sample.mp4")
    (base / "credentials").mkdir()
    (base / "credentials" / "mqtt-password").write_text(PASSWORD)
    (base / "credentials" / "mqtt-password").chmod(0o600)
    state = manager.state_dir("today-feeling")  # StateDirectory= of a user manager
    good = base / "config.toml"
    good.write_text(config_text(base, state, broker_port))
    bad = base / "bad.toml"
    bad.write_text(config_text(base, state, broker_port, fps=0.0))  # below the allowed range
    manager.install(UNIT, unit_text(base, good))
    manager.install(BAD_UNIT, unit_text(base, bad))


@contextlib.contextmanager
def make_rig(models_dir: Path) -> Iterator[Rig]:
    """Broker, user manager and units in a fresh folder; everything stopped and removed after."""
    if os.geteuid() != 0:
        pytest.skip("a private systemd user manager needs root (mount namespace)")
    # Outside /tmp: the unit's PrivateTmp= would hide /tmp paths from the daemon.
    base = rootfs.CACHE_DIR / f"unit-daemon-{os.getpid()}-{next(_RIG_IDS)}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    manager = UserManager(base / "manager")
    broker_port = free_port()
    broker = start_broker(base, broker_port)
    try:
        try:
            manager.start()
        except UserManagerError as err:
            pytest.skip(f"no private systemd user manager here: {err}")
        prepare(base, models_dir, broker_port, manager)
        yield Rig(manager, broker_port, base)
    finally:
        manager.stop()  # stops every unit it runs
        broker.terminate()
        broker.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def rig(models_dir: Path) -> Iterator[Rig]:
    with make_rig(models_dir) as shared:
        yield shared


@pytest.fixture
def fresh_rig(models_dir: Path) -> Iterator[Rig]:
    """A manager of its own: earlier units' credential mounts must not influence the result."""
    with make_rig(models_dir) as own:
        yield own


def availability(rig: Rig, timeout_s: float = 10.0) -> str | None:
    """The retained availability payload, read as the device user."""
    got: list[str] = []
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.username_pw_set(DEVICE, PASSWORD)
    client.on_connect = lambda c, _u, _f, _rc, _p: c.subscribe(f"today_feeling/{DEVICE}/availability")
    client.on_message = lambda _c, _u, msg: got.append(msg.payload.decode())
    client.connect("127.0.0.1", rig.broker_port, keepalive=10)
    client.loop_start()
    try:
        deadline = time.monotonic() + timeout_s
        while not got and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        client.loop_stop()
        client.disconnect()
    return got[-1] if got else None


def ensure_active(rig: Rig) -> None:
    result = rig.manager.systemctl("start", UNIT, timeout=READY_TIMEOUT_S)
    assert result.returncode == 0, result.stderr + journal_hint(rig)
    assert rig.manager.show(UNIT, "ActiveState") == "active"


def journal_hint(rig: Rig) -> str:
    status = rig.manager.systemctl("status", "--no-pager", "-n", "30", UNIT)
    return "\n" + status.stdout[-3000:]


def test_start_returns_after_ready_and_status_is_reported(rig: Rig) -> None:
    ensure_active(rig)
    assert rig.manager.show(UNIT, "SubState") == "running"
    wait_for(lambda: rig.manager.show(UNIT, "StatusText") != "", 30, "STATUS= line", poll_s=0.5)


def test_the_credential_reaches_the_daemon(rig: Rig) -> None:
    ensure_active(rig)
    wait_for(lambda: availability(rig, 2.0) == "online", 60, "availability 'online' (MQTT login)", poll_s=0.5)


@pytest.mark.slow
def test_watchdog_restarts_a_frozen_daemon(rig: Rig) -> None:
    ensure_active(rig)
    pid = int(rig.manager.show(UNIT, "MainPID"))
    restarts = int(rig.manager.show(UNIT, "NRestarts"))
    os.kill(pid, signal.SIGSTOP)
    try:
        # WatchdogSec (30) + SIGABRT ignored while stopped until TimeoutAbortSec (20) + RestartSec (5)
        wait_for(lambda: int(rig.manager.show(UNIT, "NRestarts")) > restarts, 120,
                   "restart after the watchdog fired", poll_s=0.5)
    finally:
        if Path(f"/proc/{pid}").exists():
            os.kill(pid, signal.SIGCONT)
    wait_for(lambda: rig.manager.show(UNIT, "ActiveState") == "active", READY_TIMEOUT_S,
               "READY=1 after the restart", poll_s=0.5)
    assert int(rig.manager.show(UNIT, "MainPID")) != pid
    assert rig.manager.show(UNIT, "Result") in ("success", "watchdog")


def test_sigterm_stops_cleanly_and_says_stopped(rig: Rig) -> None:
    ensure_active(rig)
    wait_for(lambda: availability(rig, 2.0) == "online", 60, "availability 'online'", poll_s=0.5)
    result = rig.manager.systemctl("stop", UNIT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert rig.manager.show(UNIT, "Result") == "success"
    assert rig.manager.show(UNIT, "ExecMainStatus") == "0"
    assert availability(rig) == "stopped"


def test_config_error_exits_78_and_is_not_restarted(rig: Rig) -> None:
    rig.manager.systemctl("start", BAD_UNIT, timeout=READY_TIMEOUT_S)
    wait_for(lambda: rig.manager.show(BAD_UNIT, "ActiveState") == "failed", 60, "failed state", poll_s=0.5)
    assert rig.manager.show(BAD_UNIT, "ExecMainStatus") == "78"
    time.sleep(6)  # longer than RestartSec: a restart would have happened by now
    assert rig.manager.show(BAD_UNIT, "NRestarts") == "0"
    assert re.fullmatch(r"failed|inactive", rig.manager.show(BAD_UNIT, "ActiveState"))


def test_without_a_password_the_role_dropin_lets_the_unit_start(fresh_rig: Rig) -> None:
    """A missing credential file fails the start (243) unless the role's drop-in clears it."""
    unit = "today-feeling-nopassword.service"
    text = unit_text(fresh_rig.base, fresh_rig.base / "config.toml").replace(
        str(fresh_rig.base / "credentials" / "mqtt-password"), str(fresh_rig.base / "no-such-file"))
    fresh_rig.manager.install(unit, text)
    failed = fresh_rig.manager.systemctl("start", unit, timeout=READY_TIMEOUT_S)
    assert failed.returncode != 0
    assert fresh_rig.manager.show(unit, "ExecMainStatus") == "243"
    fresh_rig.manager.systemctl("reset-failed", unit)
    dropins = fresh_rig.manager.unit_dir / f"{unit}.d"
    dropins.mkdir()
    (dropins / "50-ansible.conf").write_text(render_role_dropin(""))
    fresh_rig.manager.systemctl("daemon-reload")
    try:
        started = fresh_rig.manager.systemctl("start", unit, timeout=READY_TIMEOUT_S)
        status = fresh_rig.manager.systemctl("status", "--no-pager", unit).stdout
        assert started.returncode == 0, status + fresh_rig.manager.show(unit, "ExecMainStatus")
        assert fresh_rig.manager.show(unit, "ActiveState") == "active"
    finally:
        fresh_rig.manager.systemctl("stop", unit, timeout=60)
    assert "LoadCredential=" not in render_role_dropin("secret")
