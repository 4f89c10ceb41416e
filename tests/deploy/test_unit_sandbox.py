"""The unit's sandbox does not break the inference stack (MemoryDenyWriteExecute, seccomp, ...).

systemd-analyze only scores the unit; this runs TFLite (XNNPACK) and OpenCV under the unit's
own hardening properties in a real systemd service, so a setting that kills the daemon on a
device (a JIT needing W+X pages, a filtered system call) fails here first. PID 1 is not systemd
in CI containers, so the service runs under a private user manager (user_manager_run.sh).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.paths import UNIT_FILE, checkout_binds

HERE = Path(__file__).resolve().parent
#: [Service] keys that are not sandboxing (identity, lifecycle, paths prepared by the system
#: manager) and so are not applied to the probe.
NOT_SANDBOX = {
    "Type", "NotifyAccess", "ExecStart", "TimeoutStartSec", "TimeoutStopSec", "WatchdogSec",
    "Restart", "RestartSec", "RestartPreventExitStatus", "User", "Group", "LoadCredential",
    "StateDirectory", "StateDirectoryMode", "ConfigurationDirectory", "ConfigurationDirectoryMode",
}
#: Hide paths from the service; the probe's venv and models live under /root or /home in
#: development, and container runtimes often refuse these /proc and /home remounts (exit 226).
FILE_VISIBILITY_ONLY = {"ProtectHome", "ProtectKernelTunables", "ProtectKernelLogs"}
NAMESPACE_SETUP_FAILED = 226


def sandbox_properties() -> list[str]:
    """KEY=VALUE lines of the unit's [Service] section that confine the process."""
    text = UNIT_FILE.read_text()
    service = text.split("[Service]", 1)[1].split("[Install]", 1)[0]
    lines = [line for line in service.splitlines() if re.match(r"^[A-Z]\w+=", line)]
    return [line for line in lines
            if line.split("=", 1)[0] not in NOT_SANDBOX | FILE_VISIBILITY_ONLY] + checkout_binds()


def run_sandboxed(props: list[str], command: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    props_file = tmp_path / "properties"
    props_file.write_text("\n".join(props) + "\n")
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private",
         str(HERE / "user_manager_run.sh"), str(props_file), *command],
        check=False, capture_output=True, text=True, timeout=360,
    )


@pytest.fixture(scope="module")
def user_manager_works(tmp_path_factory: pytest.TempPathFactory) -> None:
    if os.geteuid() != 0 or not shutil.which("unshare") or not Path("/lib/systemd/systemd").exists():
        pytest.skip("needs root, unshare and systemd to start a private user manager")
    result = run_sandboxed([], ["/bin/true"], tmp_path_factory.mktemp("probe"))
    if result.returncode != 0:
        pytest.skip(f"no private systemd user manager here (rc={result.returncode}): "
                    f"{result.stderr.strip()[-300:]}")


def test_memory_deny_write_execute_is_in_the_unit() -> None:
    assert "MemoryDenyWriteExecute=yes" in sandbox_properties()


@pytest.mark.usefixtures("user_manager_works")
def test_tflite_and_opencv_run_inside_the_unit_sandbox(models_dir: Path, tmp_path: Path) -> None:
    props = sandbox_properties()
    result = run_sandboxed(props, [sys.executable, str(HERE / "tflite_probe.py"), str(models_dir)],
                           tmp_path)
    assert result.returncode != NAMESPACE_SETUP_FAILED, f"unit properties refused here: {props}"
    assert result.returncode == 0, result.stdout + result.stderr
    assert "W^X enforced" in result.stdout
    invoked = re.findall(r"^invoked ", result.stdout, re.MULTILINE)
    assert len(invoked) == len(list(models_dir.glob("*.tflite")))


@pytest.mark.usefixtures("user_manager_works")
def test_the_probe_would_notice_a_missing_sandbox(models_dir: Path, tmp_path: Path) -> None:
    """Without MemoryDenyWriteExecute the W+X mapping succeeds, so the check above is meaningful."""
    props = [p for p in sandbox_properties() if not p.startswith("MemoryDenyWriteExecute=")]
    result = run_sandboxed(props, [sys.executable, str(HERE / "tflite_probe.py"), str(models_dir)],
                           tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "W^X NOT enforced" in result.stdout
