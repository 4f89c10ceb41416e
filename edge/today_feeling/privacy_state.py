"""Remembering privacy mode across restarts: a user who covered the camera means it."""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def load_privacy(path: Path) -> bool:
    try:
        return path.read_text(encoding="ascii").strip().upper() == "ON"
    except OSError:
        return False


def save_privacy(path: Path, on: bool) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text("ON\n" if on else "OFF\n", encoding="ascii")
        tmp.replace(path)
    except OSError as err:
        logger.warning("cannot remember privacy mode in %s: %s", path, err)
