"""The Pi camera source against a fake Picamera2: the lores stream on older Pis."""

from __future__ import annotations

from tests.fakes.camera import FakePicamera2
from today_feeling.capture.picamera import PiCameraSource, use_lores_stream


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
