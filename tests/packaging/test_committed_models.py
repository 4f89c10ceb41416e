"""The package's copy of the committed models: one per manifest file, linked into models/ here."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from tests.conftest import REPO_ROOT
from today_feeling.model_store.fetch import COMMITTED_ROOT, fetch_model
from today_feeling.model_store.manifest import PACKAGED_MANIFEST, load_manifest
from today_feeling.model_store.registry import sha256_of


def _committed_paths() -> set[str]:
    paths = set()
    for entry in load_manifest(PACKAGED_MANIFEST).values():
        if entry.source.get("type") == "repo":
            paths.add(str(entry.source["path"]))
        if entry.onnx_file:
            paths.add(f"models/onnx/{entry.onnx_file}")
    return paths


def test_every_committed_model_the_manifest_names_is_in_the_package_and_nothing_else() -> None:
    packaged = {str(path.relative_to(COMMITTED_ROOT)) for path in COMMITTED_ROOT.rglob("*")
                if not path.is_dir()}
    assert packaged == _committed_paths()


def test_in_a_checkout_each_packaged_model_is_a_link_to_the_committed_file() -> None:
    for rel in _committed_paths():
        link = COMMITTED_ROOT / rel
        assert link.is_symlink(), rel  # one copy in git, not two that can drift
        assert link.resolve() == (REPO_ROOT / rel).resolve()


def test_a_compiled_file_beside_the_linked_model_is_fetched(tmp_path: Path) -> None:
    # models/edgetpu/compile.sh writes *_edgetpu.tflite beside the real model in models/, not
    # beside the package's link to it.
    entry = load_manifest(PACKAGED_MANIFEST)["blazeface_short_int8"]
    rel = str(entry.source["path"])
    checkout, package, out = tmp_path / "checkout", tmp_path / "package", tmp_path / "models"
    for root in (checkout, package):
        (root / rel).parent.mkdir(parents=True)
    shutil.copy(REPO_ROOT / rel, checkout / rel)
    (package / rel).symlink_to(checkout / rel)
    compiled = (checkout / rel).with_name(str(entry.edgetpu_file))
    compiled.write_bytes(b"stands in for edgetpu_compiler output")
    fetch_model(dataclasses.replace(entry, edgetpu_sha256=sha256_of(compiled)), out, repo_root=package)
    assert (out / entry.file).read_bytes() == (REPO_ROOT / rel).read_bytes()
    assert (out / str(entry.edgetpu_file)).read_bytes() == compiled.read_bytes()
