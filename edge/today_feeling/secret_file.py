"""Secrets live in files (systemd credentials, 0600 files), one per secret, on the first line.

One reading for every adapter: the first line without its line ending, other whitespace
kept (a password may end in a space). The caller turns the ValueError into its own error:
a bad config (MQTT, exit 78) or an unavailable server that is retried (MPD).
"""

from __future__ import annotations

from pathlib import Path


def first_line(path: Path, what: str) -> str:
    """The secret in ``path``; ValueError naming ``what`` and the file when unreadable or empty."""
    try:
        text = path.expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"cannot read the {what} from {path}: {err}") from err
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise ValueError(f"{path} is empty; write the {what} on its first line")
    return lines[0]
