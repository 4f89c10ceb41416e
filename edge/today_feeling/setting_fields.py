"""What a setting says about itself: doc, unit, bounds, secrecy and a grammar check.

A leaf module (the standard library only), so the pure domain can declare its own settings
(``domain.mood.MoodSettings``) as ``field(default=..., metadata=setting_meta(...))`` without
importing the config package; ``config.schema`` reads this metadata to validate a config file
and to render the commented example, and its ``setting`` builds the same field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def setting_meta(doc: str, *, unit: str | None = None, min: float | None = None,
                 max: float | None = None, secret: bool = False,
                 check: Callable[[Any], None] | None = None) -> dict[str, Any]:
    """The field metadata ``config.schema`` understands (keys are its contract)."""
    return {"doc": doc, "unit": unit, "min": min, "max": max, "secret": secret, "check": check}
