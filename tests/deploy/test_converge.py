"""Checks on the converged Debian root file system (fixture: tests/deploy/converge.py)."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest

from tests.deploy.converge import HOST, MQTT_PASSWORD, MUSIC_DIR, Converge, changed_count, chroot
from tests.deploy.paths import UNIT_FILE, tool

pytestmark = pytest.mark.slow


def test_first_run_changes_the_system(converged: Converge) -> None:
    assert changed_count(converged.first) > 20


def test_second_run_changes_nothing(converged: Converge) -> None:
    second = converged.second
    assert second.returncode == 0, second.stdout[-6000:]
    changed_tasks = re.findall(r"TASK \[([^\]]+)\][^\n]*\nchanged:", second.stdout)
    assert changed_count(second) == 0, changed_tasks


def test_service_user_exists_with_device_groups(converged: Converge) -> None:
    entry = chroot(converged.root, "getent", "passwd", "today-feeling").stdout.split(":")
    assert entry[5:7] == ["/var/lib/today-feeling", "/usr/sbin/nologin\n"]
    groups = chroot(converged.root, "id", "-nG", "today-feeling").stdout.split()
    assert {"today-feeling", "video", "plugdev"} <= set(groups)


def mode_owner(path: Path, root: Path) -> tuple[str, str, str]:
    """(octal mode, user, group) as the chroot's own passwd/group name them."""
    out = chroot(root, "stat", "-c", "%a %U %G", "/" + str(path.relative_to(root))).stdout.split()
    return out[0], out[1], out[2]


@pytest.mark.parametrize(("path", "expected"), [
    ("etc/today-feeling/config.toml", ("640", "root", "today-feeling")),
    ("etc/today-feeling/credentials", ("700", "root", "root")),
    ("etc/today-feeling/credentials/mqtt-password", ("600", "root", "root")),
    ("var/lib/today-feeling", ("750", "today-feeling", "today-feeling")),
    ("var/lib/today-feeling/models", ("750", "today-feeling", "today-feeling")),
    ("etc/systemd/system/today-feeling.service", ("644", "root", "root")),
    ("etc/systemd/system/today-feeling.service.d/50-ansible.conf", ("644", "root", "root")),
    ("etc/mosquitto/today-feeling.passwd", ("640", "root", "mosquitto")),
    ("etc/mosquitto/today-feeling.acl", ("640", "root", "mosquitto")),
    ("etc/mosquitto/conf.d/today-feeling.conf", ("644", "root", "root")),
    ("etc/systemd/system/mpd.socket.d/today-feeling.conf", ("644", "root", "root")),
    ("etc/mpd.conf", ("644", "root", "root")),
])
def test_files_have_owner_and_mode(converged: Converge, path: str, expected: tuple[str, ...]) -> None:
    assert mode_owner(converged.root / path, converged.root) == expected


def test_unit_is_the_repository_file_and_enabled(converged: Converge) -> None:
    root = converged.root
    assert (root / "etc/systemd/system/today-feeling.service").read_bytes() == UNIT_FILE.read_bytes()
    wants = root / "etc/systemd/system/multi-user.target.wants"
    for unit in ("today-feeling.service", "mpd.service", "mosquitto.service"):
        assert (wants / unit).is_symlink(), unit
    verify = subprocess.run(
        [tool("systemd-analyze"), "verify", "--man=no", f"--root={root}", "today-feeling.service"],
        check=False, capture_output=True, text=True, timeout=120,
    )
    assert verify.returncode == 0, verify.stderr


def test_installed_app_accepts_the_rendered_config_as_the_service_user(converged: Converge) -> None:
    result = chroot(converged.root, "runuser", "-u", "today-feeling", "--",
                    "/opt/today-feeling/venv/bin/today-feeling", "config",
                    "--config", "/etc/today-feeling/config.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    text = (converged.root / "etc/today-feeling/config.toml").read_text()
    assert f'url = "mqtt://{HOST}@localhost:{converged.ports["mqtt"]}"' in text
    assert MQTT_PASSWORD not in text
    assert f'music_directory = "{MUSIC_DIR}"' in text  # analysed where MPD keeps the files


def test_a_library_under_home_is_made_visible_to_the_sandboxed_service(converged: Converge) -> None:
    dropin = (converged.root / "etc/systemd/system/today-feeling.service.d/50-ansible.conf").read_text()
    assert "ProtectHome=tmpfs" in dropin
    assert f"BindReadOnlyPaths={MUSIC_DIR}" in dropin
    assert (converged.root / MUSIC_DIR.lstrip("/")).is_dir()


def test_credential_and_models_are_in_place(converged: Converge) -> None:
    root = converged.root
    assert (root / "etc/today-feeling/credentials/mqtt-password").read_text() == MQTT_PASSWORD
    for model in converged.models_dir.glob("*.tflite"):
        installed = root / "var/lib/today-feeling/models" / model.name
        digest = hashlib.sha256(installed.read_bytes()).hexdigest()
        assert digest == hashlib.sha256(model.read_bytes()).hexdigest(), model.name
