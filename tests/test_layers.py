"""Layers point one way: the pure domain and the config package never import adapters."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "edge" / "today_feeling"

#: Leaf modules anything may import: the standard library only, no I/O at import.
LEAVES = {"today_feeling.setting_fields", "today_feeling.errors", "today_feeling.tomlfile"}


def _imports(path: Path) -> set[str]:
    """Every today_feeling module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n.split(".")[0] == "today_feeling"}


def _offenders(folder: str, allowed: tuple[str, ...]) -> dict[str, set[str]]:
    found = {}
    for path in sorted((PACKAGE / folder).glob("*.py")):
        bad = {m for m in _imports(path)
               if m not in LEAVES and not m.startswith(allowed)}
        if bad:
            found[path.name] = bad
    return found


def test_domain_imports_only_the_domain_and_leaves() -> None:
    assert _offenders("domain", ("today_feeling.domain",)) == {}


def test_config_imports_only_config_the_domain_and_leaves() -> None:
    assert _offenders("config", ("today_feeling.config", "today_feeling.domain")) == {}


def test_the_checker_sees_a_wrong_way_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from today_feeling.music.rules import x\n", encoding="utf-8")
    assert _imports(module) == {"today_feeling.music.rules"}
