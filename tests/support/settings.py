"""Settings builders: the defaults with the models folder and a few sections changed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from today_feeling.config.settings import Settings


def settings_for(models_dir: Path, **sections: dict[str, Any]) -> Settings:
    """``Settings()`` reading models from ``models_dir``, with ``section={field: value}`` changes
    (``settings_for(d, detection={"tile_grid": 0})``); unknown fields fail as in ``replace``."""
    settings = Settings()
    settings = replace(settings, models=replace(settings.models, dir=str(models_dir)))
    for name, changes in sections.items():
        settings = replace(settings, **{name: replace(getattr(settings, name), **changes)})
    return settings
