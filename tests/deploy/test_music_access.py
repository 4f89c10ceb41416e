"""The role's music-folder check, run as a play on the converged root: a private library is named."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from tests.deploy.converge import Converge
from tests.deploy.paths import ANSIBLE_DIR, VENV_BIN, tool

TASKS = ANSIBLE_DIR / "roles" / "today_feeling" / "tasks" / "music_access.yml"


def check_music_access(converged: Converge, tmp_path: Path,
                       music_dir: str) -> subprocess.CompletedProcess[str]:
    """Only the role's check tasks, against the chroot the converge left behind."""
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"device": {
        "ansible_host": str(converged.root), "ansible_connection": "community.general.chroot",
        "ansible_python_interpreter": "/usr/bin/python3",
        "today_feeling_user": "today-feeling", "today_feeling_mpd_music_dir": music_dir}}}}))
    playbook = tmp_path / "check.yml"
    playbook.write_text(yaml.safe_dump([{"hosts": "all", "gather_facts": False,
                                         "tasks": [{"ansible.builtin.import_tasks": str(TASKS)}]}]))
    env = dict(os.environ, ANSIBLE_CONFIG=str(ANSIBLE_DIR / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
               PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run([tool("ansible-playbook"), "-i", str(inventory), str(playbook)], env=env,
                          check=False, capture_output=True, text=True, timeout=300)


def test_a_library_the_service_cannot_read_stops_the_play_with_the_fix(converged: Converge,
                                                                          tmp_path: Path) -> None:
    private_home = converged.root / "home/alice"
    library = private_home / "Music"
    library.mkdir(parents=True)
    private_home.chmod(0o700)  # how Debian 12 creates a new user's home
    try:
        denied = check_music_access(converged, tmp_path, "/home/alice/Music")
        assert denied.returncode != 0
        out = denied.stdout
        assert "today-feeling and mpd cannot read the music folder /home/alice/Music" in out, out[-3000:]
        assert "chmod -R o+rX /home/alice/Music" in out
        private_home.chmod(0o755)
        allowed = check_music_access(converged, tmp_path, "/home/alice/Music")
        assert allowed.returncode == 0, allowed.stdout[-3000:]
    finally:
        private_home.chmod(0o755)
