"""Settings for the MPD adapter and the music director (issue 4 extends these)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from today_feeling.config.schema import setting


@dataclass(frozen=True)
class MpdSettings:
    """How to reach the local MPD."""

    address: str = setting(
        "localhost:6600", "MPD as HOST:PORT or a Unix socket path; 'off' runs without music"
    )


@dataclass(frozen=True)
class DirectorSettings:
    """How music follows the mood."""

    mode: Literal["match", "lift", "off"] = setting(
        "match", "'match' plays music that fits the mood, 'lift' moves gently toward a calmer or "
        "happier target, 'off' leaves MPD alone"
    )
