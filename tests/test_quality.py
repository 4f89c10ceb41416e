"""Lint and type checks run with the suite, so CI enforces them like behaviour."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e .[dev])")
    return found


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "edge", "tests", "benchmarks", "models"], cwd=REPO,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    result = subprocess.run([_tool("mypy")], cwd=REPO, capture_output=True, text=True,
                            timeout=900, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_port_fakes_type_check_against_their_ports() -> None:
    """tests/fakes, tests/support and tests/fixtures sit outside the package's mypy run; a fake
    that drifts from its port, or a helper or fixture whose types lie, fails here."""
    result = subprocess.run([_tool("mypy"), "--strict", "tests/fakes", "tests/support", "tests/fixtures"],
                            cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
