"""Assembling the recogniser from settings: manifest lookup, accelerator policy, models."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from today_feeling.config.settings import Settings
from today_feeling.errors import ModelError
from today_feeling.inference.emotion import EmotionClassifier
from today_feeling.inference.face_detector import FaceDetector
from today_feeling.inference.recognizer import Recognizer
from today_feeling.inference.runtime import LoadedModel, make_interpreter, runtime_name
from today_feeling.model_store.manifest import ModelEntry, manifest_for_dir, model_path

logger = logging.getLogger(__name__)

DETECTOR_KEYS = {"short": "blazeface_short", "full": "blazeface_full"}


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


def _load(models_dir: Path, entry: ModelEntry, settings: Settings) -> LoadedModel:
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
                loaded.accelerator, settings.inference.accelerator, loaded.note, runtime_name(),
                settings.inference.threads,
                ", mirror-averaged" if settings.inference.mirror_average else "")
    return classifier


def load_detectors(settings: Settings) -> dict[str, FaceDetector]:
    """The face detectors the ``models.detector`` mode needs, keyed 'short' / 'full'."""
    models_dir = Path(settings.models.dir).expanduser()
    manifest = manifest_for_dir(models_dir)
    detectors: dict[str, FaceDetector] = {}
    for name, key in DETECTOR_KEYS.items():
        if settings.models.detector in (name, "auto"):
            entry = _entry(manifest, key, "face_detector")
            detectors[name] = FaceDetector(_load(models_dir, entry, settings), entry,
                                           settings.detection.min_score,
                                           settings.detection.nms_iou)
    logger.debug("face detector(s) %s loaded from %s", ", ".join(detectors), models_dir)
    return detectors


def build_recognizer(settings: Settings) -> BuiltRecognizer:
    """Load the detectors the ``models.detector`` mode needs and the emotion model."""
    detectors = load_detectors(settings)
    classifier = build_classifier(settings)
    recognizer = Recognizer(detectors.get("short"), detectors.get("full"), classifier,
                            settings.detection)
    return BuiltRecognizer(recognizer, classifier, classifier.accelerator)
