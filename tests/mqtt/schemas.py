"""The JSON schemas published in docs/mqtt.md, so tests check payloads against the docs."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

DOC = REPO_ROOT / "docs" / "mqtt.md"


@cache
def documented_schemas() -> dict[str, dict[str, Any]]:
    """Every ```json block of docs/mqtt.md that is a schema, keyed by its ``title``."""
    blocks = re.findall(r"```json\n(.*?)\n```", DOC.read_text(), flags=re.DOTALL)
    schemas = [json.loads(block) for block in blocks]
    return {s["title"]: s for s in schemas if isinstance(s, dict) and "title" in s}


def check(title: str, payload: Any) -> None:
    """Validate ``payload`` against the documented schema ``title`` (emotion, mood, ...)."""
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(payload, documented_schemas()[title])
