"""A stable device id for topics and client ids, unique per machine, and the one place that
says which characters a device id may hold ([A-Za-z0-9_-]: one MQTT topic level, and a Home
Assistant unique id)."""

from __future__ import annotations

import hashlib
import re
import socket
from pathlib import Path

MACHINE_ID = Path("/etc/machine-id")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


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
    """A configured id made canonical: each run of unsafe characters becomes one ``-``.

    Strict, because it runs once at start-up on what a person typed: an id with nothing
    usable is a config error, not a silent "unknown".
    """
    cleaned = re.sub(f"{_UNSAFE.pattern}+", "-", device_id).strip("-")
    if not cleaned:
        raise ValueError(f"device id {device_id!r} has no usable characters")
    return cleaned


def topic_level(device_id: str) -> str:
    """Any id as one topic level and Home Assistant object id: each unsafe character -> ``_``.

    Lenient and length-preserving, because topics are derived wherever an id arrives
    (already canonical from :func:`resolve_device_id` on the device); never raises.
    """
    return _UNSAFE.sub("_", device_id.strip()) or "unknown"


def machine_secret(machine_id_path: Path = MACHINE_ID) -> str:
    """A per-machine secret for keyed ids: /etc/machine-id (private to the machine, never
    published), else the hostname (guessable: only a last resort on systems without one)."""
    try:
        return machine_id_path.read_text(encoding="ascii").strip() or socket.gethostname()
    except OSError:
        return socket.gethostname()
