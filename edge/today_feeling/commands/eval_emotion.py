"""``today-feeling eval-emotion DATA.npz``: accuracy of an emotion model on labelled face crops.

DATA holds ``x`` (N, H, W) or (N, H, W, 3) uint8 crops framed like FER2013 and ``y`` FER2013
ids (0 anger ... 6 neutral; other ids are ignored). The crops go through the daemon's own
classifier, so the numbers are what the device would do on the same faces.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from today_feeling.commands.common import (
    add_config_argument,
    add_override_arguments,
    settings_from_args,
)
from today_feeling.config.schema import replace_path
from today_feeling.config.settings import Settings
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.errors import ProfileError
from today_feeling.evaluation import CropClassifier, evaluate, load_faces
from today_feeling.profiles.calibrated import CalibratedClassifier, load_usable, require_embedding
from today_feeling.profiles.store import ProfileStore

if TYPE_CHECKING:
    from today_feeling.inference.emotion import EmotionClassifier


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", type=Path, help="npz with x (face crops) and y (FER2013 ids)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    add_config_argument(parser)
    parser.add_argument("--model", metavar="KEY", default=None,
                        help="emotion model key from the manifest (default: config models.emotion)")
    add_override_arguments(parser, "--models-dir", "--profiles-dir")
    parser.add_argument("--profile", metavar="NAME", default=None,
                        help="score through this person's profile (config profiles.dir); the report "
                             "then covers the six product classes only")
    parser.add_argument("--split", metavar="NAME", default=None,
                        help="read x_NAME/y_NAME instead of x/y (e.g. 'public' in the FER2013 npz)")
    parser.add_argument("--mirror", choices=("on", "off"), default=None,
                        help="classify each face with its mirror image averaged in, or the face alone "
                             "(default: config inference.mirror_average; model cards quote both)")


def _text(report: dict[str, Any], model: str) -> str:
    acc7 = report["accuracy_7"]
    lines = [
        f"model {model}: n={report['n']} accuracy_6={report['accuracy_6']} "
        f"accuracy_7={'n/a' if acc7 is None else acc7} ece_6={report['ece_6']}",
        "recall: " + ", ".join(f"{k} {v}" for k, v in report["per_class_recall"].items()),
        "confusion (rows true, columns predicted): " + " ".join(f"{e[:4]:>5}" for e in EMOTIONS),
    ]
    lines += [f"  {name:>10} " + " ".join(f"{v:5d}" for v in row)
              for name, row in zip(EMOTIONS, report["confusion"], strict=True)]
    return "\n".join(lines)


def _calibrated(classifier: EmotionClassifier, name: str, settings: Settings) -> CropClassifier:
    store = ProfileStore(Path(settings.profiles.dir).expanduser())
    centre = classifier.embedding_centre
    profile = load_usable(store, name, classifier.entry.key, classifier.entry.sha256, centre)
    adapter = profile.adapter(require_embedding(classifier.name, centre))
    if adapter is None:
        raise ProfileError(f"profile {name} has no samples yet")
    return CalibratedClassifier(classifier, adapter)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if args.mirror is not None:
        settings = replace_path(settings, "inference.mirror_average", args.mirror == "on")
    faces = load_faces(args.data, args.split)
    from today_feeling.inference.build import build_classifier  # after the config is valid

    classifier = build_classifier(settings, args.model)
    scored: CropClassifier = classifier
    if args.profile:
        scored = _calibrated(classifier, args.profile, settings)
    report = evaluate(scored, faces)
    report["profile"] = args.profile
    report["model"] = classifier.name
    report["accelerator"] = classifier.accelerator
    report["mirror_average"] = classifier.mirror_average
    print(json.dumps(report) if args.json else _text(report, classifier.name))
    return 0
