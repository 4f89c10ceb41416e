"""Fixtures for the deployment tests: the repo's systemd/ and ansible/ folders and the tools."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The converge fixture is shared by test_converge*.py (one converge per session).
from tests.deploy.converge import converged  # noqa: F401
from tests.deploy.paths import ANSIBLE_DIR, REPO_ROOT, VENV_BIN


@pytest.fixture
def ansible_env(tmp_path: Path) -> dict[str, str]:
    """Environment for ansible-* commands: our ansible.cfg, no colour, temp files under tmp."""
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=str(ANSIBLE_DIR / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"),
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


@pytest.fixture(scope="session")
def app_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app wheel built from this checkout, as the controller would build it."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO_ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    wheels = sorted(out.glob("today_feeling-*.whl"))
    assert wheels, "pip wheel produced no today_feeling wheel"
    return wheels[-1]
