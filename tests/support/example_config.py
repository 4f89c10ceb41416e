"""Read the generated example config back as data, so tests can check what it documents."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, get_type_hints


@dataclass(frozen=True)
class Shown:
    """One assignment of the example: the comment line above it and its value text."""

    comment: str
    value: str


def shown_settings(text: str) -> dict[str, Shown]:
    """Every ``key = value`` line of the example, by dotted key, with the line above it."""
    shown: dict[str, Shown] = {}
    section = ""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            dotted = f"{section}.{key.strip()}" if section else key.strip()
            shown[dotted] = Shown(lines[i - 1] if i else "", value.strip())
    return shown


def shown_sections(text: str) -> dict[str, str]:
    """Every ``[section]`` header of the example, with the comment line above it."""
    lines = text.splitlines()
    return {line[1:-1]: lines[i - 1] for i, line in enumerate(lines)
            if i and line.startswith("[") and line.endswith("]")}


def declared_settings(cls: type[Any], path: str = "") -> dict[str, str]:
    """Every setting declared under ``cls`` (sections recursed), by dotted key, with its doc."""
    declared: dict[str, str] = {}
    hints = get_type_hints(cls)
    for field in dataclasses.fields(cls):
        key = f"{path}.{field.name}" if path else field.name
        if field.metadata.get("section"):
            declared.update(declared_settings(hints[field.name], key))
        else:
            declared[key] = str(field.metadata.get("doc", ""))
    return declared


def declared_sections(cls: type[Any]) -> dict[str, str]:
    """The top-level sections of ``cls``, by name, with their doc."""
    return {f.name: str(f.metadata.get("doc", "")) for f in dataclasses.fields(cls)
            if f.metadata.get("section")}
