"""Fixture: a real converge of ansible/site.yml into a Debian bookworm root file system (chroot connection).

Covers every phase the role runs on a device except talking to a running systemd: apt installs
(mpd, mosquitto, python3-venv) from the Debian mirror, the app wheel built from this checkout
and its dependencies (from a wheelhouse prepared on the controller, as a fleet would), the
models, config.toml validated by the installed app, the credential, the unit and drop-ins
(enabled offline), MPD and mosquitto configuration. A second run must change nothing. Then the
installed pieces are checked and the configured MPD and mosquitto are started inside the chroot
and used over loopback. Starting today-feeling.service itself is left to the HIL tests.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import free_port
from tests.deploy import rootfs
from tests.deploy.paths import ANSIBLE_DIR, VENV_BIN, tool
from tests.fixtures.certs import Certs, make_certs

logger = logging.getLogger(__name__)

PLAYBOOK_TIMEOUT_S = 900
HOST = "testdevice"
MQTT_PASSWORD = "converge-test-pw"
READER_PASSWORD = "reader pw"
MUSIC_DIR = "/home/tf-music"
CONTROLLER_PASSWORD = "controller-test-pw"


@dataclass(frozen=True)
class Converge:
    root: Path
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    ports: dict[str, int]
    models_dir: Path
    seconds: tuple[float, float]
    """Wall time of the first and the second run."""
    certs: Certs
    """The throwaway CA and broker certificate behind the TLS listeners."""


def changed_count(result: subprocess.CompletedProcess[str]) -> int:
    """changed=N of the test host in the PLAY RECAP."""
    match = re.search(rf"^{HOST}\s+:.*\bchanged=(\d+)", result.stdout, re.MULTILINE)
    assert match, result.stdout[-3000:] + result.stderr[-3000:]
    return int(match.group(1))


def write_inventory(path: Path, *, root: Path, wheel: Path, wheelhouse: Path, models: Path,
                    ports: dict[str, int], certs: Certs) -> None:
    host_vars = {
        "ansible_host": str(root),
        "ansible_connection": "community.general.chroot",
        "ansible_python_interpreter": "/usr/bin/python3",
        "today_feeling_service_manage": False,  # no init runs inside the chroot
        "today_feeling_wheel": str(wheel),
        "today_feeling_wheelhouse": str(wheelhouse),
        "today_feeling_models_controller_dir": str(models),
        "today_feeling_controller_cli": str(VENV_BIN / "today-feeling"),
        "today_feeling_device_id": HOST,
        "today_feeling_mqtt_password": MQTT_PASSWORD,
        "today_feeling_mpd_port": ports["mpd"],
        "today_feeling_mpd_music_dir": MUSIC_DIR,  # under /home: the drop-in must make it visible
        "today_feeling_mosquitto_port": ports["mqtt"],
        "today_feeling_mosquitto_websockets_port": ports["ws"],
        "today_feeling_mosquitto_bind_interface": "lo",  # the test's clients are all on this host
        "today_feeling_mosquitto_tls_port": ports["mqtts"],
        "today_feeling_mosquitto_tls_websockets_port": ports["wss"],
        "today_feeling_mosquitto_tls_cert_src": str(certs.server_cert),
        "today_feeling_mosquitto_tls_key_src": str(certs.server_key),
        "today_feeling_mosquitto_tls_ca_src": str(certs.ca),
        "today_feeling_mosquitto_users": [{
            "name": "controller", "password": CONTROLLER_PASSWORD,
            "read": ["today_feeling/#"], "write": ["today_feeling/+/+/set"],
        }, {"name": "reader", "password": READER_PASSWORD, "read": ["today_feeling/#"]}],
    }
    inventory = {"all": {"children": {"today_feeling": {"hosts": {HOST: host_vars}}}}}
    path.write_text(yaml.safe_dump(inventory), encoding="utf-8")


def play(inventory: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("ansible-playbook"), "-i", str(inventory), str(ANSIBLE_DIR / "site.yml")],
        cwd=ANSIBLE_DIR, env=env, check=False, capture_output=True, text=True, timeout=PLAYBOOK_TIMEOUT_S,
    )


@pytest.fixture(scope="session")
def converged(tmp_path_factory: pytest.TempPathFactory, app_wheel: Path,
              models_dir: Path) -> Iterator[Converge]:
    if os.geteuid() != 0:
        pytest.skip("the chroot converge needs root (debootstrap, chroot)")
    if not shutil.which("debootstrap"):
        pytest.skip("debootstrap is not installed (apt-get install debootstrap)")
    tool("ansible-playbook")
    tmp = tmp_path_factory.mktemp("converge")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ANSIBLE_DIR / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-tmp"),
               PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    root = rootfs.fresh_rootfs(tmp / "root")
    try:
        ports = {name: free_port() for name in ("mpd", "mqtt", "ws", "mqtts", "wss")}
        certs = make_certs(tmp / "certs")  # a throwaway CA for the TLS listeners
        inventory = tmp / "inventory.yml"
        write_inventory(inventory, root=root, wheel=app_wheel, wheelhouse=rootfs.wheelhouse(app_wheel),
                        models=models_dir, ports=ports, certs=certs)
        started = time.monotonic()
        first = play(inventory, env)
        first_s = time.monotonic() - started
        assert first.returncode == 0, first.stdout[-6000:] + first.stderr[-3000:]
        rootfs.save_debs(root)
        started = time.monotonic()
        second = play(inventory, env)
        seconds = (first_s, time.monotonic() - started)
        logger.info("converge: first run %.0f s, second run %.0f s", *seconds)
        yield Converge(root, first, second, ports, models_dir, seconds, certs)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def chroot(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run a command inside the converged root file system."""
    return subprocess.run(["chroot", str(root), *argv], check=False, capture_output=True,
                          text=True, timeout=120)
