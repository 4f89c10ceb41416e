"""Rendering ansible/monitoring.yml into a folder, as a user would with -c local."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.deploy.paths import ANSIBLE_DIR, VENV_BIN, tool
from tests.fleet_monitoring.prom import binary

ROLE_DIR = ANSIBLE_DIR / "roles" / "today_feeling_prometheus"
ALERTS_TEST = ROLE_DIR / "files" / "alerts_test.yml"


def inventory(devices: dict[str, dict[str, Any]], children: dict[str, list[str]] | None = None
              ) -> dict[str, Any]:
    """An inventory whose `today_feeling` group holds ``devices`` (host -> host vars), with
    ``children`` sub-groups (name -> hosts) inside it."""
    group: dict[str, Any] = {"hosts": devices}
    if children:
        group["children"] = {name: {"hosts": {h: {} for h in hosts}} for name, hosts in children.items()}
    return {"all": {"children": {"today_feeling": group}}}


def ansible_env(tmp: Path) -> dict[str, str]:
    """Our ansible.cfg, no colour, Ansible's own temp files under ``tmp``."""
    return {**os.environ, "ANSIBLE_CONFIG": str(ANSIBLE_DIR / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCAL_TEMP": str(tmp / "ansible-local"),
            "ANSIBLE_REMOTE_TEMP": str(tmp / "ansible-remote"), "ANSIBLE_HOME": str(tmp / "ansible-home"),
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def run_playbook(out: Path, hosts: dict[str, Any], **extra: Any) -> subprocess.CompletedProcess[str]:
    """ansible-playbook -c local -i <hosts as YAML> monitoring.yml into ``out``; not checked."""
    out.parent.mkdir(parents=True, exist_ok=True)
    inv = out.parent / f"{out.name}-inventory.yml"
    inv.write_text(yaml.safe_dump(hosts))
    extra_vars = {"today_feeling_prometheus_dir": str(out), **extra}
    cmd = [tool("ansible-playbook"), "-c", "local", "-i", str(inv), "monitoring.yml",
           "-e", json.dumps(extra_vars)]
    return subprocess.run(cmd, cwd=ANSIBLE_DIR, env=ansible_env(out.parent), capture_output=True, text=True,
                          timeout=300, check=False)


def render(out: Path, hosts: dict[str, Any], **extra: Any) -> Path:
    """The rendered folder (prometheus.yml, targets, alerts); fails the test with Ansible's output."""
    result = run_playbook(out, hosts, **extra)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return out


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([binary("promtool"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)
