"""A full disk under the history: the writer says so, keeps the rows, and writes every one of
them once the disk has room again (a real tmpfs, mounted in a private mount namespace)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

HERE = Path(__file__).resolve().parent


@pytest.mark.timeout(240)
def test_a_full_disk_loses_no_history_row(tmp_path: Path) -> None:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare to mount a private tmpfs")
    folder = tmp_path / "disk"
    folder.mkdir()
    result = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", sys.executable,
         str(HERE / "full_disk_writer.py"), str(folder)],
        capture_output=True, text=True, timeout=200, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "edge")})
    if result.returncode != 0 and "mount" in result.stderr and "permission" in result.stderr.lower():
        pytest.skip(f"this container refuses tmpfs mounts: {result.stderr[-200:]}")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["full_reported"], report  # ServiceStatus("history", False, ...) was published
    assert report["recovered"], report
    assert report["rows"] == 3000 + 1, report  # every mood, plus the stop's gap marker
    assert "database or disk is full" in report["statuses"][0][1]
