"""Assembling the recogniser from settings: manifest lookup, accelerator policy, models."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from today_feeling.config.settings import Settings
from today_feeling.errors import AcceleratorError, ModelError
from today_feeling.inference.emotion import EmotionClassifier
from today_feeling.inference.face_detector import FaceDetector
from today_feeling.inference.onnx_runtime import has_gpu_provider, load_onnx
from today_feeling.inference.recognizer import Recognizer
from today_feeling.inference.runtime import LoadedModel, make_interpreter, runtime_name
from today_feeling.model_store.manifest import ModelEntry, manifest_for_dir, model_path

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class BuiltRecognizer:
    recognizer: Recognizer
    classifier: EmotionClassifier
    accelerator: str
    """Where the emotion model runs: 'edgetpu' or 'cpu'."""


def _entry(manifest: dict[str, ModelEntry], key: str, kind: str) -> ModelEntry:
    entry = manifest.get(key)
    if entry is None:
        raise ModelError(f"model '{key}' is not in the manifest (known: {', '.join(manifest)})")
    if entry.kind != kind:
        raise ModelError(f"model '{key}' is a {entry.kind} model, expected {kind}")
    return entry


def resolve_runtime(settings: Settings) -> str:
    """'litert' or 'onnxruntime' for ``inference.runtime`` (``auto``: a GPU means onnxruntime)."""
    wanted, accelerator = settings.inference.runtime, settings.inference.accelerator
    if wanted == "auto":
        gpu = accelerator in ("cuda", "tensorrt") or (accelerator == "auto" and has_gpu_provider())
        wanted = "onnxruntime" if gpu else "litert"
    if wanted == "onnxruntime" and accelerator == "edgetpu":
        raise AcceleratorError("inference.accelerator 'edgetpu' needs inference.runtime 'litert' "
                               "(a Coral runs TFLite models)")
    if wanted == "litert" and accelerator in ("cuda", "tensorrt"):
        raise AcceleratorError(f"inference.accelerator '{accelerator}' needs inference.runtime "
                               "'onnxruntime' (or 'auto')")
    return wanted


def runtime_label(settings: Settings) -> str:
    """The runtime the models run on, as bench and logs name it: 'onnxruntime' or the TFLite package."""
    return "onnxruntime" if resolve_runtime(settings) == "onnxruntime" else runtime_name()


def _load(models_dir: Path, entry: ModelEntry, settings: Settings) -> LoadedModel:
    if resolve_runtime(settings) == "onnxruntime":
        if not entry.onnx_file:
            raise ModelError(f"model '{entry.key}' has no ONNX copy (onnx_file in the manifest): "
                             "choose another model or inference.runtime = 'litert'")
        interpreter, device, note = load_onnx(models_dir / entry.onnx_file, settings.inference.accelerator,
                                              settings.inference.threads, models_dir / "tensorrt-cache")
        return LoadedModel(interpreter, device, model_path(models_dir, entry), note)
    edgetpu = models_dir / entry.edgetpu_file if entry.edgetpu_file else None
    return make_interpreter(model_path(models_dir, entry), edgetpu, settings.inference.accelerator,
                            settings.inference.threads, settings.inference.edgetpu_device)


def build_classifier(settings: Settings, key: str | None = None) -> EmotionClassifier:
    """The configured emotion model (or ``key``), ready to classify crops."""
    models_dir = Path(settings.models.dir).expanduser()
    manifest = manifest_for_dir(models_dir)
    entry = _entry(manifest, key or settings.models.emotion, "emotion")
    loaded = _load(models_dir, entry, settings)
    classifier = EmotionClassifier(loaded, entry, mirror_average=settings.inference.mirror_average)
    logger.info("emotion model %s on %s (accelerator=%s: %s; %s, %d thread(s)%s)", entry.key,
                loaded.accelerator, settings.inference.accelerator, loaded.note, runtime_label(settings),
                settings.inference.threads,
                ", mirror-averaged" if settings.inference.mirror_average else "")
    return classifier


def detector_keys(settings: Settings) -> dict[str, str]:
    """The manifest keys of the detectors the ``models.detector`` mode runs, by pass name."""
    keys = {"short": settings.models.short_detector, "full": settings.models.full_detector}
    return {name: key for name, key in keys.items() if settings.models.detector in (name, "auto")}


def require_compiled(settings: Settings) -> None:
    """``accelerator = "edgetpu"``: every model must have its compiled file, or none starts.

    Checked before anything loads, so the message names every missing file at once instead of
    the first one after a minute of loading.
    """
    if settings.inference.accelerator != "edgetpu":
        return
    models_dir = Path(settings.models.dir).expanduser()
    manifest = manifest_for_dir(models_dir)
    settings_of = {key: f"models.{name}_detector" for name, key in detector_keys(settings).items()}
    settings_of[settings.models.emotion] = "models.emotion"
    missing = []
    for key, setting_name in settings_of.items():
        entry = manifest.get(key)
        if entry is None:
            continue  # reported by the loader with the list of known keys
        if entry.input_dtype != "int8":
            int8 = f" (set {setting_name} = '{key}_int8')" if f"{key}_int8" in manifest else ""
            missing.append(f"{key} is a float model{int8}")
        elif not entry.edgetpu_file or not (models_dir / entry.edgetpu_file).is_file():
            compiled = entry.edgetpu_file or "compiled *_edgetpu.tflite"
            missing.append(f"{key} has no {compiled} in {models_dir}")
    if missing:
        raise AcceleratorError(
            "accelerator 'edgetpu' needs every model compiled for the TPU: " + "; ".join(missing)
            + ". Compile with models/edgetpu/compile.sh, or set inference.accelerator = 'auto'")


def load_detectors(settings: Settings) -> dict[str, FaceDetector]:
    """The face detectors the ``models.detector`` mode needs, keyed 'short' / 'full'."""
    models_dir = Path(settings.models.dir).expanduser()
    manifest = manifest_for_dir(models_dir)
    detectors: dict[str, FaceDetector] = {}
    for name, key in detector_keys(settings).items():
        entry = _entry(manifest, key, "face_detector")
        loaded = _load(models_dir, entry, settings)
        detectors[name] = FaceDetector(loaded, entry, settings.detection.min_score,
                                       settings.detection.nms_iou)
        logger.info("face detector %s on %s (accelerator=%s: %s)", key, loaded.accelerator,
                    settings.inference.accelerator, loaded.note)
    return detectors


def build_recognizer(settings: Settings) -> BuiltRecognizer:
    """Load the detectors the ``models.detector`` mode needs and the emotion model."""
    require_compiled(settings)
    detectors = load_detectors(settings)
    classifier = build_classifier(settings)
    recognizer = Recognizer(detectors.get("short"), detectors.get("full"), classifier,
                            settings.detection)
    return BuiltRecognizer(recognizer, classifier, classifier.accelerator)


def loaded_models(settings: Settings) -> list[tuple[str, str, LoadedModel]]:
    """(model key, kind, loaded model) for every model the daemon would load, loaded as it would.

    What ``doctor`` and the hardware-in-the-loop latency checks use: where each model really
    runs here, not whether a library loads.
    """
    require_compiled(settings)
    models_dir = Path(settings.models.dir).expanduser()
    manifest = manifest_for_dir(models_dir)
    kinds = dict.fromkeys(detector_keys(settings).values(), "face_detector")
    kinds[settings.models.emotion] = "emotion"
    return [(key, kind, _load(models_dir, _entry(manifest, key, kind), settings))
            for key, kind in kinds.items()]


def placement(settings: Settings) -> list[tuple[str, str, str]]:
    """(model key, device, what was tried) for every model the daemon would load."""
    return [(key, loaded.accelerator, loaded.note) for key, _, loaded in loaded_models(settings)]
