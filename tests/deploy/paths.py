"""Where the deployment files and tools are."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
UNIT_FILE = REPO_ROOT / "systemd" / "today-feeling.service"
ANSIBLE_DIR = REPO_ROOT / "ansible"
VENV_BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A command from this venv or PATH, or skip the test naming what to install."""
    for candidate in (VENV_BIN / name, shutil.which(name)):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    pytest.skip(f"{name} is not installed (pip install ansible ansible-lint, apt-get install systemd)")


def checkout_binds() -> list[str]:
    """Bind the checkout (and its venv) back into a sandboxed unit when they live in /tmp.

    The unit's PrivateTmp= gives the service an empty /tmp; a CI clone under /tmp would
    then vanish from the service's view (exit 203/EXEC). On a device the app lives in /opt.
    """
    paths = {REPO_ROOT.resolve(), VENV_BIN.parent.resolve()}
    under_tmp = sorted(str(p) for p in paths if p.is_relative_to("/tmp"))
    return [f"BindReadOnlyPaths={p}" for p in under_tmp]
