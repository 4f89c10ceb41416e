"""``today-feeling profile enroll|list|show|delete``: the household's profiles from a shell.

Reads the profile folder from ``profiles.dir`` (or --profiles-dir), the same folder the
daemon uses. ``enroll`` adds labelled, pre-cropped faces (``x`` crops, ``y`` FER2013 ids, the
format of eval-emotion and of ``faces crop``): each crop goes through the daemon's own
classifier, and only its embedding and label are kept — never the crop.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from today_feeling.commands.common import add_config_argument, add_override_arguments, settings_from_args
from today_feeling.config.settings import Settings
from today_feeling.domain.emotions import fer_labels_to_product
from today_feeling.errors import EX_NOINPUT, ProfileError
from today_feeling.evaluation import load_faces
from today_feeling.profiles.calibrated import require_embedding
from today_feeling.profiles.profile import Profile, Sample
from today_feeling.profiles.store import ProfileStore


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="profile_command", required=True, metavar="ACTION")
    enroll = sub.add_parser("enroll", help="add labelled face crops (npz: x, y) to a profile")
    enroll.add_argument("name", help="whose profile (created when new)")
    enroll.add_argument("data", type=Path, help="npz with x (face crops) and y (FER2013 ids)")
    enroll.add_argument("--split", metavar="NAME", default=None, help="read x_NAME/y_NAME instead")
    listing = sub.add_parser("list", help="the profiles and what each holds")
    show = sub.add_parser("show", help="one profile's counts and corrections (no embeddings)")
    show.add_argument("name")
    delete = sub.add_parser("delete", help="forget a person: remove their profile file")
    delete.add_argument("name")
    for command in (enroll, listing, show, delete):
        add_config_argument(command)
        add_override_arguments(command, "--profiles-dir", "--models-dir")
        command.add_argument("--json", action="store_true", help="print JSON")


def _store(settings: Settings) -> ProfileStore:
    return ProfileStore(Path(settings.profiles.dir).expanduser())


def _print(doc: Any, as_json: bool, text: str) -> None:
    print(json.dumps(doc, ensure_ascii=False) if as_json else text)


def _counts(summary: dict[str, Any]) -> str:
    return ", ".join(f"{e} {n}" for e, n in summary["per_emotion"].items() if n) or "no samples"


def _enroll(args: argparse.Namespace, settings: Settings) -> int:
    faces = load_faces(args.data, args.split)
    labels = fer_labels_to_product(faces.y)
    keep = labels >= 0
    if not keep.any():
        raise ProfileError(f"{args.data}: no face has a label the product knows (FER2013 ids 0-6)")
    from today_feeling.inference.build import build_classifier  # after the config is valid

    classifier = build_classifier(settings)
    require_embedding(classifier.name, classifier.embedding_centre)
    store, now = _store(settings), time.time()
    try:
        profile = store.load(args.name)
        profile.check_model(classifier.entry.key, classifier.entry.sha256)
    except ProfileError as err:
        if store.path(args.name).exists():
            raise err
        profile = Profile(args.name, classifier.entry.key, classifier.entry.sha256, created=now)
    batch = f"i{int(now)}"
    samples = []
    for i, (crop, label) in enumerate(zip(faces.x[keep], labels[keep], strict=True)):
        embedding = classifier.classify_with_embedding(crop)[1]
        assert embedding is not None  # require_embedding checked the model has one
        samples.append(Sample(now + i * 1e-3, int(label), "import", batch, embedding))
    profile = profile.add(samples, settings.profiles.max_samples_per_emotion)
    path = store.save(profile)
    summary = profile.summary()
    _print({"path": str(path), "added": len(samples), **summary}, args.json,
           f"profile {profile.name}: added {len(samples)} faces, now {_counts(summary)} ({path})")
    return 0


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    store = _store(settings)
    action = args.profile_command
    if action == "enroll":
        return _enroll(args, settings)
    if action == "delete":
        if not store.delete(args.name):
            print(f"today-feeling: no profile '{args.name}' in {store.directory}")
            return EX_NOINPUT
        _print({"deleted": args.name}, args.json, f"profile {args.name} deleted")
        return 0
    if action == "show":
        summary = store.load(args.name).summary()
        corrections = "; ".join(f"{c['id']} {c['emotion']} x{c['samples']}" for c in summary["corrections"])
        _print(summary, args.json, f"{summary['name']} (model {summary['model']}): {_counts(summary)}"
               + (f"; corrections: {corrections}" if corrections else ""))
        return 0
    rows: list[dict[str, Any]] = []
    for name in store.names():
        try:
            rows.append(store.load(name).summary())
        except ProfileError as err:
            rows.append({"name": name, "error": str(err)})
    text = "\n".join(f"{r['name']}: {r['error']}" if "error" in r else f"{r['name']}: {_counts(r)}"
                     for r in rows) or f"no profiles in {store.directory}"
    _print(rows, args.json, text)
    return 0

