"""Running the training scripts the way their docs do: ``python -m models.training.MODULE``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT


def run_module(module: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """``python -m models.training.MODULE ARGS`` from the repository root, CPU only."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    command = [sys.executable, "-m", f"models.training.{module}", *map(str, args)]
    return subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def step(module: str, *args: str | Path) -> str:
    """Run one step that must succeed; return its log (stderr)."""
    done = run_module(module, *args)
    assert done.returncode == 0, f"{module} failed:\n{done.stderr[-3000:]}"
    return done.stderr
