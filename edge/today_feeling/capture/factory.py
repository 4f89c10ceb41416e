"""Choosing a frame source from the ``capture.source`` string."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from today_feeling.capture.gstreamer import PREFIX as GST_PREFIX
from today_feeling.capture.gstreamer import GstSource
from today_feeling.capture.opencv_source import OpenCvSource
from today_feeling.capture.picamera import PiCameraSource
from today_feeling.capture.replay import ReplaySource
from today_feeling.config.settings import CaptureSettings
from today_feeling.errors import SourceError
from today_feeling.ports import FrameSource


def resolve_auto() -> str:
    """'picamera' on a Pi with picamera2, else the first V4L2 camera."""
    if importlib.util.find_spec("picamera2") is not None and Path("/dev/media0").exists():
        return "picamera"
    if Path("/dev/video0").exists():
        return "0"
    raise SourceError(
        "capture.source is 'auto' but no camera was found (no picamera2 camera, no "
        "/dev/video0): attach a camera or set capture.source to a device, URL or file"
    )


def is_live(spec: str) -> bool:
    """Cameras and streams are live; files and folders are replays."""
    return (spec in ("auto", "picamera") or spec.isdigit() or spec.startswith(("/dev/", GST_PREFIX))
            or "://" in spec)


def make_source(spec: str, settings: CaptureSettings, *, realtime: bool | None = None,
                loop: bool | None = None) -> FrameSource:
    """Build (not open) the source for ``spec``; replays honour the pacing/loop overrides."""
    if spec == "auto":
        spec = resolve_auto()
    if spec == "picamera":
        return PiCameraSource(settings.width, settings.height, settings.fps)
    if spec.startswith(GST_PREFIX):
        return GstSource(spec, settings.width, settings.height, settings.fps)
    if is_live(spec):
        return OpenCvSource(spec, settings.width, settings.height, settings.fps)
    path = Path(spec).expanduser()
    if not path.exists():
        raise SourceError(
            f"source '{spec}' does not exist "
            "(expected a camera index or device, a URL, a file or a folder)"
        )
    return ReplaySource(
        path,
        realtime=settings.replay_realtime if realtime is None else realtime,
        loop=settings.replay_loop if loop is None else loop,
        image_fps=settings.image_fps,
    )
