"""A stable device id for topics and client ids, unique per machine."""

from __future__ import annotations

import hashlib
import re
import socket
from pathlib import Path

MACHINE_ID = Path("/etc/machine-id")


def resolve_device_id(configured: str, machine_id_path: Path = MACHINE_ID) -> str:
    """The configured id, else ``tf-`` + 8 hex chars of a hash of /etc/machine-id.

    The machine id itself is never published (systemd asks for it to stay private),
    only a hash of it; the hostname is the last resort.
    """
    if configured:
        return sanitize(configured)
    try:
        seed = machine_id_path.read_text(encoding="ascii").strip()
    except OSError:
        seed = ""
    seed = seed or socket.gethostname()
    return "tf-" + hashlib.sha256(f"today-feeling:{seed}".encode()).hexdigest()[:8]


def sanitize(device_id: str) -> str:
    """Keep ids safe for MQTT topics and Home Assistant unique ids."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", device_id).strip("-")
    if not cleaned:
        raise ValueError(f"device id {device_id!r} has no usable characters")
    return cleaned


def machine_secret(machine_id_path: Path = MACHINE_ID) -> str:
    """A per-machine secret for keyed ids: /etc/machine-id (private to the machine, never
    published), else the hostname (guessable: only a last resort on systems without one)."""
    try:
        return machine_id_path.read_text(encoding="ascii").strip() or socket.gethostname()
    except OSError:
        return socket.gethostname()
