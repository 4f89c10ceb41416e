"""``today-feeling models fetch|verify|list``."""

from __future__ import annotations

import argparse
from pathlib import Path

from today_feeling.commands.common import add_config_argument, settings_from_args
from today_feeling.model_store.fetch import fetch_all, verify_all
from today_feeling.model_store.manifest import PACKAGED_MANIFEST, load_manifest


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("fetch", "verify", "list"))
    add_config_argument(parser)
    parser.add_argument("--dir", type=Path, default=None,
                        help="models folder (default: config key models.dir)")


def run(args: argparse.Namespace) -> int:
    models_dir: Path = args.dir or Path(settings_from_args(args).models.dir).expanduser()
    entries = load_manifest(PACKAGED_MANIFEST)
    if args.action == "list":
        for entry in entries.values():
            print(f"{entry.key:28s} {entry.kind:14s} {entry.file}  [{entry.licence}]")
        return 0
    if args.action == "fetch":
        fetch_all(entries, models_dir)
    problems = verify_all(entries, models_dir)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"all {len(entries)} models verified in {models_dir}")
    return 1 if problems else 0
