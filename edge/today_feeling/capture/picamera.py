"""Raspberry Pi camera through picamera2 (imported lazily: only Pi OS has it).

The main stream is configured at the requested size; on a Pi 4 or older the ISP also
produces a low-resolution YUV420 stream that feeds inference, so the CPU never has to
scale full frames. Only the luma plane is used for that stream and converted to BGR
once, small.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from today_feeling.errors import SourceError
from today_feeling.ports import Frame

logger = logging.getLogger(__name__)

#: Inference stream size on Pi <= 4 (BlazeFace full-range input is 192 px).
LORES_SIZE = (320, 240)


def _pi_model() -> str:
    try:
        with open("/proc/device-tree/model", encoding="ascii", errors="replace") as handle:
            return handle.read().strip("\x00\n")
    except OSError:
        return ""


def use_lores_stream(model: str) -> bool:
    """Pi 5 scales cheaply on the CPU; older Pis benefit from the ISP's low-res stream."""
    return "Raspberry Pi" in model and "Raspberry Pi 5" not in model


class PiCameraSource:
    """picamera2 capture; ``factory`` is injectable so tests can fake the camera."""

    def __init__(self, width: int, height: int, fps: float, *,
                 factory: Callable[[], Any] | None = None,
                 clock: Callable[[], float] = time.monotonic, pi_model: str | None = None) -> None:
        self.name = "picamera"
        self._size = (width, height)
        self._fps = fps
        self._factory = factory
        self._clock = clock
        self._lores = use_lores_stream(_pi_model() if pi_model is None else pi_model)
        self._camera: Any = None
        self._index = 0

    def open(self) -> None:
        factory = self._factory
        if factory is None:
            try:
                from picamera2 import Picamera2
            except ImportError as err:
                raise SourceError(
                    "capture.source is 'picamera' but picamera2 is not installed: "
                    "sudo apt install python3-picamera2 (and create the venv with "
                    "--system-site-packages)"
                ) from err
            except ValueError as err:  # "numpy.dtype size changed": a numpy 2 venv
                raise SourceError(
                    f"picamera2 is installed but cannot load ({err}): its Raspberry Pi OS helpers "
                    "need numpy 1.x; in the venv: pip install 'numpy<2' (scripts/setup.sh and the "
                    "Ansible role do so)"
                ) from err
            factory = Picamera2
        try:
            camera = factory()
            streams: dict[str, Any] = {"main": {"size": self._size, "format": "RGB888"}}
            if self._lores:
                streams["lores"] = {"size": LORES_SIZE, "format": "YUV420"}
            config = camera.create_video_configuration(
                **streams, controls={"FrameRate": self._fps}, buffer_count=2
            )
            camera.configure(config)
            camera.start()
        except (RuntimeError, OSError, IndexError) as err:
            raise SourceError(
                f"Pi camera unavailable ({err}): check the ribbon cable, 'rpicam-hello "
                "--list-cameras', and that no other process holds the camera"
            ) from err
        self._camera = camera
        logger.info("Pi camera started at %sx%s, %s fps (inference stream: %s)",
                    *self._size, self._fps, "lores YUV" if self._lores else "main")

    def read(self) -> Frame | None:
        if self._camera is None:
            raise SourceError("Pi camera is not open")
        try:
            if self._lores:
                yuv = self._camera.capture_array("lores")
                luma = np.ascontiguousarray(yuv[: LORES_SIZE[1], : LORES_SIZE[0]])
                image = cv2.cvtColor(luma, cv2.COLOR_GRAY2BGR)
            else:
                image = self._camera.capture_array("main")  # RGB888 is BGR in memory
        except (RuntimeError, OSError) as err:
            raise SourceError(f"Pi camera stopped delivering frames: {err}") from err
        frame = Frame(image=np.asarray(image, dtype=np.uint8), t=self._clock(), index=self._index,
                      source_name=self.name)
        self._index += 1
        return frame

    def skip(self) -> bool:
        """Take the next request and hand it straight back: no array is made."""
        if self._camera is None:
            raise SourceError("Pi camera is not open")
        try:
            self._camera.capture_request().release()
        except (RuntimeError, OSError) as err:
            raise SourceError(f"Pi camera stopped delivering frames: {err}") from err
        self._index += 1
        return True

    def set_frame_rate(self, fps: float) -> None:
        """The sensor's own frame rate: fewer frames, less ISP and memory traffic."""
        if self._camera is None:
            return
        try:
            self._camera.set_controls({"FrameRate": fps})
        except (RuntimeError, OSError) as err:
            logger.warning("Pi camera refused %.1f frames/s: %s", fps, err)

    def close(self) -> None:
        if self._camera is not None:
            try:
                self._camera.stop()
                self._camera.close()
            finally:
                self._camera = None
