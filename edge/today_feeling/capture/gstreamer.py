"""GStreamer pipelines as a frame source: a Jetson's CSI camera, libcamerasrc, anything gst can open.

``capture.source = "gst:nvarguscamerasrc ! nvvidconv"`` runs the pipeline in ``gst-launch-1.0``
with our own tail (a rate cap at ``capture.fps``, convert, scale, BGR caps, ``fdsink`` to a
pipe) and reads fixed-size raw frames from it. The cap drops surplus frames before they are
converted: a 30 fps CSI camera costs 15 conversions a second, not 30. A child process rather
than Python bindings: PyGObject is not in the venv (it needs the system's GObject
introspection), OpenCV from PyPI has no GStreamer, and every board that has GStreamer has
``gst-launch-1.0``. Frames stay in memory: a pipe, never a file.
"""

from __future__ import annotations

import logging
import math
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from typing import IO

import numpy as np

from today_feeling.errors import SourceError
from today_feeling.ports import Frame

logger = logging.getLogger(__name__)

PREFIX = "gst:"
GST_LAUNCH = "gst-launch-1.0"
#: How long close() waits for the pipeline to stop before killing it.
STOP_TIMEOUT_S = 3.0


def pipeline_argv(pipeline: str, width: int, height: int, fps: float | None = None) -> list[str]:
    """``gst-launch-1.0`` arguments: the user's pipeline, then raw BGR frames of a fixed size.

    With ``fps``, ``videorate`` passes at most that many frames a second and never duplicates
    one (a slower pipeline keeps its own rate).
    """
    rate = f"! videorate drop-only=true max-rate={math.ceil(fps)} " if fps else ""
    tail = (f"{rate}! videoconvert ! videoscale ! video/x-raw,format=BGR,width={width},height={height} "
            "! fdsink fd=1 sync=false")
    return [GST_LAUNCH, "-q", *shlex.split(pipeline), *shlex.split(tail)]


class GstSource:
    """Frames from a GStreamer pipeline running in a child ``gst-launch-1.0``."""

    def __init__(self, spec: str, width: int, height: int, fps: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = spec
        self._fps = fps
        self._pipeline = spec.removeprefix(PREFIX).strip()
        self._shape = (height, width, 3)
        self._clock = clock
        self._process: subprocess.Popen[bytes] | None = None
        self._errors: IO[bytes] | None = None
        self._index = 0

    def open(self) -> None:
        if not self._pipeline:
            raise SourceError(f"capture.source '{self.name}' has no pipeline after 'gst:'")
        if shutil.which(GST_LAUNCH) is None:
            raise SourceError(f"capture.source is a GStreamer pipeline but {GST_LAUNCH} is not "
                              "installed: apt install gstreamer1.0-tools (JetPack has it)")
        height, width, _ = self._shape
        # gst's messages (never frames), read only when it fails; closed with the source
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self._process = subprocess.Popen(pipeline_argv(self._pipeline, width, height, self._fps),
                                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                             stderr=self._errors)
        except (OSError, ValueError) as err:  # ValueError: shlex cannot split the pipeline
            self.close()
            raise SourceError(f"cannot start GStreamer pipeline '{self._pipeline}': {err}") from err
        logger.info("started GStreamer pipeline %s (%dx%d BGR)", self._pipeline, width, height)

    def read(self) -> Frame | None:
        data = self._next_bytes()
        if data is None:
            return None
        frame = Frame(np.frombuffer(data, np.uint8).reshape(self._shape).copy(), self._clock(),
                      self._index, self.name)
        self._index += 1
        return frame

    def skip(self) -> bool:
        """The frame arrives decoded in any case; it is read off the pipe and dropped."""
        if self._next_bytes() is None:
            return False
        self._index += 1
        return True

    def set_frame_rate(self, fps: float) -> None:
        """Capped at ``capture.fps`` when opened; a lower idle rate is met by skipping frames,
        because changing the cap means restarting the pipeline (and a CSI camera with it)."""

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._errors is not None:
            self._errors.close()
            self._errors = None

    def _next_bytes(self) -> bytes | None:
        """One frame's bytes; None at a clean end of stream, SourceError when gst failed."""
        process = self._process
        if process is None or process.stdout is None:
            raise SourceError(f"source '{self.name}' is not open")
        size = int(np.prod(self._shape))
        data = process.stdout.read(size)
        if len(data) == size:
            return data
        try:  # stdout closed: gst-launch is exiting; one that hangs there is stopped
            code = process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        if code == 0:
            return None  # end of stream: a file played to its end
        raise SourceError(f"GStreamer pipeline '{self._pipeline}' failed (exit {code}): "
                          f"{self._error_text()}")

    def _error_text(self) -> str:
        if self._errors is None:
            return ""
        self._errors.seek(0)
        lines = self._errors.read().decode(errors="replace").strip().splitlines()
        return " ".join(lines[-3:]) or "no message"
