"""Development tools stay in the checkout: the wheel a device installs carries none of them."""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path

import pytest

#: Checkout-only modules (edge/today_feeling_dev) and where they used to live in the package.
DEV_MODULES = ("today_feeling_dev", "today_feeling.music.local_mpd", "today_feeling.model_store.samples")


def _wheel_sources(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                if name.endswith(".py")}


def _imported(source: str) -> set[str]:
    """Every module an import statement names, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _is_dev(module: str) -> bool:
    return any(module == dev or module.startswith(f"{dev}.") for dev in DEV_MODULES)


def test_the_wheel_has_no_development_tools(built_wheel: Path) -> None:
    with zipfile.ZipFile(built_wheel) as archive:
        names = archive.namelist()
    modules = {name.removesuffix(".py").replace("/", ".") for name in names if name.endswith(".py")}
    assert "today_feeling.music.service" in modules  # the listing is the package's, not empty
    assert sorted(m for m in modules if _is_dev(m)) == []
    # The EdgeTPU check stays: `today-feeling models check-edgetpu` runs it on a device.
    assert "today_feeling.inference.edgetpu_compat" in modules


def test_no_shipped_module_imports_a_development_tool(built_wheel: Path) -> None:
    sources = _wheel_sources(built_wheel)
    offenders = {name: sorted(m for m in _imported(text) if _is_dev(m)) for name, text in sources.items()}
    assert {name: found for name, found in offenders.items() if found} == {}


@pytest.mark.parametrize(("source", "found"), [
    ("from today_feeling_dev.samples import sample_path\n", True),
    ("def f():\n    import today_feeling_dev.local_mpd\n", True),
    ("from today_feeling.music import local_mpd\n", True),
    ("from today_feeling.model_store.samples import sample_path\n", True),
    ("from today_feeling.model_store.registry import fetch_wheel\n", False),
])
def test_the_import_check_sees_every_spelling(source: str, found: bool) -> None:
    assert any(_is_dev(m) for m in _imported(source)) is found
