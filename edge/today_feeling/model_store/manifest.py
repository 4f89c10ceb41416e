"""The models manifest: typed entries read from manifest.toml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from today_feeling.errors import ModelError
from today_feeling.tomlfile import TOMLDecodeError, loads

MANIFEST_NAME = "manifest.toml"
PACKAGED_MANIFEST = Path(__file__).with_name(MANIFEST_NAME)


@dataclass(frozen=True)
class ModelEntry:
    """One model file and how to feed it (see the comments in models/manifest.toml)."""

    key: str
    file: str
    sha256: str
    kind: str
    input_shape: tuple[int, ...]
    input_dtype: str
    pixel_scale: float
    pixel_offset: float
    output: str
    labels: tuple[str, ...]
    licence: str
    source: dict[str, Any]
    edgetpu_file: str | None = None
    edgetpu_sha256: str | None = None
    onnx_file: str | None = None
    """The ONNX copy for ONNX Runtime (models/onnx/, made by models/onnx/export_onnx.py)."""
    onnx_sha256: str | None = None

    @classmethod
    def from_table(cls, key: str, table: dict[str, Any]) -> ModelEntry:
        try:
            return cls(
                key=key,
                file=str(table["file"]),
                sha256=str(table["sha256"]),
                kind=str(table["kind"]),
                input_shape=tuple(int(v) for v in table["input_shape"]),
                input_dtype=str(table["input_dtype"]),
                pixel_scale=float(table["pixel_scale"]),
                pixel_offset=float(table["pixel_offset"]),
                output=str(table["output"]),
                labels=tuple(str(v) for v in table.get("labels", ())),
                licence=str(table.get("licence", "")),
                source=dict(table["source"]),
                edgetpu_file=table.get("edgetpu_file"),
                edgetpu_sha256=table.get("edgetpu_sha256"),
                onnx_file=table.get("onnx_file"),
                onnx_sha256=table.get("onnx_sha256"),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ModelError(f"manifest entry models.{key} is malformed: {err!r}") from err


def load_manifest(path: Path) -> dict[str, ModelEntry]:
    """Read a manifest file into entries keyed by model name."""
    try:
        data = loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ModelError(
            f"no model manifest at {path}: run 'today-feeling models fetch --dir {path.parent}'"
        ) from err
    except TOMLDecodeError as err:
        raise ModelError(f"model manifest {path} is not valid TOML: {err}") from err
    models = data.get("models", {})
    return {key: ModelEntry.from_table(key, table) for key, table in models.items()}


def manifest_for_dir(models_dir: Path) -> dict[str, ModelEntry]:
    """The manifest that describes a models folder: its own copy, else the packaged one."""
    own = models_dir / MANIFEST_NAME
    return load_manifest(own if own.exists() else PACKAGED_MANIFEST)


def model_path(models_dir: Path, entry: ModelEntry) -> Path:
    """The model file, checked to exist, with a message that says how to get it."""
    path = models_dir / entry.file
    if not path.is_file():
        raise ModelError(
            f"model file {path} ({entry.key}) is missing: fetch it with "
            f"'today-feeling models fetch --dir {models_dir}', or point at a folder that has it "
            f"(--models-dir DIR or models.dir in the config; scripts/setup.sh fetches to "
            f"~/.cache/today-feeling/models)"
        )
    return path
