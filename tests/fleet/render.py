"""Render the fleet's broker configurations with Ansible: the central role, and each device's
bridge (the role's own bridge.yml) and local broker (the role's templates).

The central playbook runs on this host with ``-c local`` into a temporary folder. Each device's
run happens inside its namespace (``ip netns exec``), where /etc/mosquitto is that device's
folder, so the role writes exactly the paths it writes on a device.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fixtures.certs import Certs
from tests.fleet.netns import CENTRAL_IP, Topology

REPO_ROOT = Path(__file__).resolve().parents[2]
ANSIBLE_DIR = REPO_ROOT / "ansible"
DEVICE_PLAYBOOK = Path(__file__).with_name("render_device.yml")
PLAYBOOK_TIMEOUT_S = 240
CENTRAL_PORT = 8883
LOCAL_PORT = 1883  # the role's default: every device has its own namespace
NO_BRIDGE_FLAG = "charlie"
FLEET_WRITE = ["today_feeling/+/+/set", "today_feeling/group/+/+/set"]


@dataclass
class Fleet:
    """What the test needs to know about the rendered fleet: folders, groups, passwords."""

    root: Path
    pki: Certs
    groups: dict[str, list[str]]
    """Each device's extra inventory groups (every device is also in today_feeling)."""
    passwords: dict[str, str] = field(default_factory=dict)

    def password(self, account: str) -> str:
        return self.passwords.setdefault(account, secrets.token_hex(12))

    @property
    def central_dir(self) -> Path:
        return self.root / "central"

    def members(self, group: str) -> list[str]:
        return [device for device, extra in self.groups.items() if group in extra or group == "today_feeling"]


def _device_vars(fleet: Fleet) -> dict[str, Any]:
    return {
        "today_feeling_bridge_enabled": True,
        "today_feeling_bridge_address": f"{CENTRAL_IP}:{CENTRAL_PORT}",
        "today_feeling_bridge_ca": str(fleet.pki.ca),
        "today_feeling_bridge_keepalive": 5,  # notice a cut link in seconds, not minutes
        "today_feeling_bridge_restart_timeout": "1 2",
        "today_feeling_service_manage": False,
        "today_feeling_mosquitto_users": [
            {"name": "probe", "password": fleet.password("probe"), "read": ["today_feeling/#"]}],
    }


def _central_vars(fleet: Fleet) -> dict[str, Any]:
    return {
        "today_feeling_central_dir": str(fleet.central_dir),
        "today_feeling_central_persistence_dir": str(fleet.root / "central-db"),
        "today_feeling_central_log_dest": f"file {fleet.root / 'central.log'}",
        "today_feeling_central_run_user": "root",  # the temporary folders are root's
        "today_feeling_central_tls_cert_src": str(fleet.pki.server_cert),
        "today_feeling_central_tls_key_src": str(fleet.pki.server_key),
        "today_feeling_central_manage_packages": False,
        "today_feeling_central_service_manage": False,
        "today_feeling_central_operators": [
            {"name": "fleet", "password": fleet.password("fleet"),
             "read": ["today_feeling/#", "$SYS/broker/connection/+/state"], "write": FLEET_WRITE}],
    }


def inventory(fleet: Fleet) -> dict[str, Any]:
    """The inventory an operator would write; bridge groups are left to their default."""
    hosts: dict[str, dict[str, Any]] = {
        device: {"today_feeling_mqtt_password": fleet.password(f"{device}-local"),
                 "today_feeling_bridge_password": fleet.password(device)} for device in fleet.groups}
    # One device set up as for a broker that refuses mosquitto's bridge flag (docs/fleet.md).
    hosts[NO_BRIDGE_FLAG].update(today_feeling_bridge_try_private=False,
                                 today_feeling_bridge_out_topics=["+"])
    extra_groups = sorted({group for groups in fleet.groups.values() for group in groups})
    children: dict[str, Any] = {
        "today_feeling": {"vars": _device_vars(fleet), "hosts": hosts},
        "today_feeling_central": {"hosts": {"central": _central_vars(fleet)}},
    }
    for group in extra_groups:
        children[group] = {"hosts": dict.fromkeys(fleet.members(group))}
    common = {"ansible_connection": "local", "ansible_become": False,
              "ansible_python_interpreter": sys.executable}
    return {"all": {"vars": common, "children": children}}


def ansible_env(root: Path, name: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=str(ANSIBLE_DIR / "ansible.cfg"),
        ANSIBLE_ROLES_PATH=str(ANSIBLE_DIR / "roles"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCAL_TEMP=str(root / f"ansible-tmp-{name}"),
        ANSIBLE_HOME=str(root / f"ansible-home-{name}"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def _playbook(argv: list[str], root: Path, name: str) -> subprocess.Popen[str]:
    with (root / f"ansible-{name}.log").open("w") as log:  # the child keeps its own descriptor
        return subprocess.Popen(argv, cwd=ANSIBLE_DIR, env=ansible_env(root, name), stdout=log,
                                stderr=subprocess.STDOUT, text=True)


def render(fleet: Fleet, topology: Topology) -> Path:
    """Write the inventory and run the central playbook and every device's, in parallel."""
    inv = fleet.root / "inventory.json"  # JSON is YAML: Ansible's yaml inventory plugin reads it
    inv.write_text(json.dumps(inventory(fleet), indent=2))
    playbook = str(Path(sys.executable).parent / "ansible-playbook")
    runs = {"central": _playbook([playbook, "-i", str(inv), "central.yml"], fleet.root, "central")}
    for device, namespace in topology.namespaces.items():
        argv = topology.exec_argv(namespace, playbook, "-i", str(inv), "--limit", device,
                                  "-e", f"tf_role_dir={ANSIBLE_DIR / 'roles' / 'today_feeling'}",
                                  str(DEVICE_PLAYBOOK))
        runs[device] = _playbook(argv, fleet.root, device)
    failed = []
    for name, proc in runs.items():
        try:
            proc.wait(timeout=PLAYBOOK_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.returncode != 0:
            failed.append(f"--- {name} rc={proc.returncode}\n"
                          + (fleet.root / f"ansible-{name}.log").read_text()[-4000:])
    if failed:
        raise AssertionError("ansible-playbook failed:\n" + "\n".join(failed))
    return inv


def changed_counts(fleet: Fleet, names: list[str]) -> dict[str, int]:
    """changed=N from the PLAY RECAP of each named run's log (of the latest ``render``)."""
    counts = {}
    for name in names:
        log = (fleet.root / f"ansible-{name}.log").read_text()
        match = re.search(rf"^{re.escape(name)}\s+:.*\bchanged=(\d+)", log, re.MULTILINE)
        assert match, log[-3000:]
        counts[name] = int(match.group(1))
    return counts
