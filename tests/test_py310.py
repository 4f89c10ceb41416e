"""The package runs on Python 3.10 too (JetPack 6): checked statically, as no 3.10 is installable here.

ruff parses everything with ``target-version = "py310"`` (pyproject; tests/test_quality.py runs
it, and the second test pins the setting), and vermin checks that no
standard-library module, function or argument newer than 3.10 is used outside a version guard.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "edge" / "today_feeling"


def test_no_standard_library_newer_than_python_3_10() -> None:
    vermin = shutil.which("vermin", path=str(Path(sys.executable).parent))
    if vermin is None:
        pytest.skip("vermin is not installed (the [dev] extra has it)")
    result = subprocess.run([vermin, "--no-tips", "--violations", "-t=3.10-", "--eval-annotations",
                             str(PACKAGE)], check=False, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_package_declares_3_10_and_its_toml_backport() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["requires-python"] == ">=3.10"
    assert project["tool"]["ruff"]["target-version"] == "py310"
    assert "tomli>=1.1; python_version < '3.11'" in project["project"]["dependencies"]
