"""``today-feeling faces SUBCOMMAND``: face crops from photos, for enrolment and retraining.

``faces crop PHOTOS_DIR OUT.npz`` writes aligned gray crops framed like FER2013, at the
configured emotion model's input size, in the format ``eval-emotion`` reads: ``x``
(N, H, W) uint8, ``y`` (N,) FER2013 ids (0 anger, 1 disgust, 2 fear, 3 happiness,
4 sadness, 5 surprise, 6 neutral; 255 unlabelled) and ``source`` (N,) the photo's path
relative to PHOTOS_DIR. Sub-commands are a registry so more can join ``crop``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from today_feeling.commands.common import (
    add_config_argument,
    add_override_arguments,
    settings_from_args,
)
from today_feeling.domain.emotions import FER2013_CLASSES
from today_feeling.inference import photo_crops
from today_feeling.photo_folder import scan_photos

#: Names listed in the one-line summary before "+N more".
LISTED_NAMES = 3


def _add_crop_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("photos_dir", type=Path, metavar="PHOTOS_DIR",
                        help="photos, flat (unlabelled) or in one subfolder per emotion "
                             "(happiness/, angry/, 기쁨/, 분노/ ...)")
    parser.add_argument("out", type=Path, metavar="OUT.npz", help="npz file to write (x, y, source)")
    parser.add_argument("--all-faces", action="store_true",
                        help="keep every face of a photo (default: only its primary face)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    add_config_argument(parser)
    add_override_arguments(parser, "--models-dir")


def _label_counts(labels: list[int]) -> dict[str, int]:
    names = [FER2013_CLASSES[i] if i < len(FER2013_CLASSES) else "unlabelled" for i in labels]
    return {name: names.count(name) for name in (*FER2013_CLASSES, "unlabelled") if name in names}


def _listed(names: list[str]) -> str:
    more = len(names) - LISTED_NAMES
    return ", ".join(names[:LISTED_NAMES]) + (f", +{more} more" if more > 0 else "")


def _summary_line(summary: dict[str, Any]) -> str:
    size = summary["crop_size"]
    labels = ", ".join(f"{k} {v}" for k, v in summary["labels"].items())
    line = f"{summary['photos']} photos, {summary['crops']} crops {size}x{size} ({labels})"
    if summary["no_face"]:
        line += f", {len(summary['no_face'])} without a face ({_listed(summary['no_face'])})"
    if summary["unreadable"]:
        line += f", {len(summary['unreadable'])} unreadable ({_listed(summary['unreadable'])})"
    return f"{line} -> {summary['out']}"


def _run_crop(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    folder = scan_photos(args.photos_dir)  # exit 66 before any model loads
    photo_crops.check_output(args.out)
    cropper = photo_crops.PhotoCropper.from_settings(settings, all_faces=args.all_faces)
    result = photo_crops.crop_folder(folder, cropper)
    photo_crops.write_crops(args.out, result)
    summary = {
        "photos": len(folder.photos), "crops": len(result.crops), "crop_size": cropper.crop_size,
        "labels": _label_counts(result.labels), "no_face": result.no_face,
        "unreadable": result.unreadable, "skipped_folders": list(folder.unknown_folders),
        "out": str(args.out),
    }
    if args.json:
        print(json.dumps(summary))
    print(_summary_line(summary), file=sys.stderr)
    return 0


#: sub-command -> (add its arguments, run it, one-line help).
SUBCOMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None],
                             Callable[[argparse.Namespace], int], str]] = {
    "crop": (_add_crop_arguments, _run_crop,
             "aligned face crops from a folder of photos, as an npz eval-emotion reads"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="faces_command", required=True,
                                metavar="{" + ",".join(SUBCOMMANDS) + "}")  # named in the error
    for name, (add, handler, help_text) in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        add(sub_parser)
        sub_parser.set_defaults(faces_handler=handler)


def run(args: argparse.Namespace) -> int:
    handler: Callable[[argparse.Namespace], int] = args.faces_handler
    return handler(args)
