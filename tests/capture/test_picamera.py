"""The Pi camera source against a fake Picamera2: the lores stream on older Pis, and a
picamera2 that is missing or cannot load."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.fakes.camera import FakePicamera2
from today_feeling.capture.picamera import PiCameraSource, use_lores_stream
from today_feeling.errors import SourceError


def test_picamera_uses_the_lores_stream_on_older_pis() -> None:
    assert use_lores_stream("Raspberry Pi 4 Model B Rev 1.5")
    assert not use_lores_stream("Raspberry Pi 5 Model B Rev 1.0")
    assert not use_lores_stream("")
    fake = FakePicamera2()
    source = PiCameraSource(1280, 720, 15, factory=lambda: fake, pi_model="Raspberry Pi 4 Model B")
    source.open()
    assert fake.started and "lores" in fake.config
    assert fake.config["controls"] == {"FrameRate": 15}
    frame = source.read()
    assert frame.image.shape == (240, 320, 3)
    source.close()
    assert not fake.started


def test_a_picamera2_that_cannot_load_under_numpy_2_is_a_clear_source_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Raspberry Pi OS's picamera2 imports simplejpeg, built against numpy 1.x: in a venv with
    numpy 2 the import raises ValueError, which must reach the worker as a SourceError (retried
    and reported) with the fix, not kill the capture thread."""
    package = tmp_path / "picamera2"
    package.mkdir()
    (package / "__init__.py").write_text(
        'raise ValueError("numpy.dtype size changed, may indicate binary incompatibility")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "picamera2", raising=False)
    with pytest.raises(SourceError, match=r"numpy<2"):
        PiCameraSource(1280, 720, 15, pi_model="Raspberry Pi 5 Model B").open()


def test_a_missing_picamera2_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "picamera2", None)  # import fails as if not installed
    with pytest.raises(SourceError, match=r"python3-picamera2"):
        PiCameraSource(1280, 720, 15, pi_model="Raspberry Pi 5 Model B").open()
