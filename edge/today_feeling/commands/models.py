"""``today-feeling models fetch|verify|list|check-edgetpu``."""

from __future__ import annotations

import argparse
from pathlib import Path

from today_feeling.commands.common import add_config_argument, settings_from_args
from today_feeling.errors import ModelError
from today_feeling.model_store.fetch import fetch_all, verify_all
from today_feeling.model_store.manifest import PACKAGED_MANIFEST, load_manifest


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, help_text in (("fetch", "obtain every manifest model from its pinned source, verified"),
                            ("verify", "check every model file in the folder against its sha256"),
                            ("list", "the manifest's models, their files and licences")):
        action = sub.add_parser(name, help=help_text, description=help_text)
        add_config_argument(action)
        action.add_argument("--dir", type=Path, default=None,
                            help="models folder (default: config key models.dir)")
    check = sub.add_parser("check-edgetpu", help="can a .tflite file run fully on a Coral EdgeTPU?",
                           description="Static check, no compiler needed: every op supported, "
                                       "8-bit tensors, static shapes, one subgraph (exit 1 if not)")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE.tflite")


def run(args: argparse.Namespace) -> int:
    if args.action == "check-edgetpu":
        return _check_edgetpu(args.files)
    entries = load_manifest(PACKAGED_MANIFEST)
    if args.action == "list":
        for entry in entries.values():
            print(f"{entry.key:28s} {entry.kind:14s} {entry.file}  [{entry.licence}]")
        return 0
    models_dir: Path = args.dir or Path(settings_from_args(args).models.dir).expanduser()
    if args.action == "fetch":
        fetch_all(entries, models_dir)
    problems = verify_all(entries, models_dir)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"all {len(entries)} models verified in {models_dir}")
    return 1 if problems else 0


def _check_edgetpu(files: list[Path]) -> int:
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise ModelError(f"no such model file: {', '.join(missing)}")
    # Lazy: the flatbuffer schema comes with ai-edge-litert, which an old tflite-runtime image lacks.
    try:
        from today_feeling.inference.edgetpu_compat import print_reports
    except ImportError as err:
        raise ModelError(f"the EdgeTPU check reads .tflite files with ai-edge-litert's schema, "
                         f"which is not installed here ({err}): pip install ai-edge-litert") from err
    return print_reports(files)
