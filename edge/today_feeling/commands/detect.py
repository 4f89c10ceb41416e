"""``today-feeling detect SOURCE``: analyse media or a camera and print what was seen.

Frames are read in order as fast as they decode (no pacing, no dropping), and the
mood engine runs on media time, so the output for a file is reproducible.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from today_feeling.capture.factory import make_source
from today_feeling.capture.replay import ReplaySource, is_image
from today_feeling.commands.common import (
    add_config_argument,
    add_override_arguments,
    settings_from_args,
)
from today_feeling.domain.analysis import FrameAnalysis
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.domain.mood import MoodEngine
from today_feeling.inference.annotate import annotate
from today_feeling.inference.build import build_recognizer
from today_feeling.ports import Frame

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="image, video, folder, camera index or URL")
    add_config_argument(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object per analysed frame")
    parser.add_argument("--annotate", type=Path, metavar="OUT",
                        help="write an annotated image (.jpg/.png) or video (.mp4/.avi)")
    add_override_arguments(parser, "--models-dir")
    parser.add_argument("--max-frames", type=int, default=0, help="stop after N frames (0: all)")


def frame_record(frame: Frame, analysis: FrameAnalysis, mood: str | None,
                 with_source: bool) -> dict[str, Any]:
    """The documented ``--json`` object for one frame."""
    record: dict[str, Any] = {
        "frame": frame.index,
        "t": round(frame.media_t if frame.media_t is not None else frame.t, 3),
        "faces": [
            {
                "box": [round(v, 1) for v in face.box],
                "score": round(face.score, 4),
                "emotion": face.emotion,
                "probs": {name: round(p, 4) for name, p in zip(EMOTIONS, face.probs or (),
                                                               strict=False)},
            }
            for face in analysis.faces
        ],
        "mood": mood,
    }
    if with_source:
        record["source"] = frame.source_name
    return record


class _Annotator:
    """Writes an image for an image output path, else a video (size fixed by the first frame)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._writer: cv2.VideoWriter | None = None
        self._size: tuple[int, int] = (0, 0)

    def add(self, frame: Frame, analysis: FrameAnalysis, mood: str | None) -> None:
        image = annotate(frame.image, analysis, mood)
        if is_image(self.out):
            cv2.imwrite(str(self.out), image)
            return
        if self._writer is None:
            self._size = (image.shape[1], image.shape[0])
            fourcc = cv2.VideoWriter.fourcc(*("mp4v" if self.out.suffix == ".mp4" else "MJPG"))
            self._writer = cv2.VideoWriter(str(self.out), fourcc, 15.0, self._size)
        if (image.shape[1], image.shape[0]) != self._size:
            image = np.asarray(cv2.resize(image, self._size), dtype=np.uint8)  # mixed sizes
        self._writer.write(image)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    source = make_source(args.source, settings.capture, realtime=False, loop=False)
    built = build_recognizer(settings)
    with_source = isinstance(source, ReplaySource) and source.path.is_dir()
    current_t = [0.0]
    mood_engine = MoodEngine(settings.mood, lambda: current_t[0])
    annotator = _Annotator(args.annotate) if args.annotate else None
    source.open()
    count = 0
    try:
        while args.max_frames <= 0 or count < args.max_frames:
            frame = source.read()
            if frame is None:
                break
            current_t[0] = frame.media_t if frame.media_t is not None else frame.t
            analysis = built.recognizer.analyse(frame.image, frame.index, frame.t)
            mood = mood_engine.update(analysis.primary).mood
            count += 1
            if args.json:
                print(json.dumps(frame_record(frame, analysis, mood, with_source)), flush=True)
            else:
                faces = ", ".join(f"{f.emotion} ({f.score:.2f})" for f in analysis.faces)
                print(f"frame {frame.index}: {faces or 'no face'}; mood: {mood or 'none yet'}")
            if annotator:
                annotator.add(frame, analysis, mood)
    finally:
        source.close()
        if annotator:
            annotator.close()
    print(f"{count} frame{'' if count == 1 else 's'} analysed", file=sys.stderr)
    return 0
