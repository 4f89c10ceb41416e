"""Command-line entry point: argument parsing and dispatch only.

Each subcommand lives in ``today_feeling.commands.<name>`` and exposes
``add_arguments(parser)`` and ``run(args) -> int``. The registry is explicit so the
CLI contract (names and flags) is visible in one place.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from today_feeling import __version__
from today_feeling.errors import TodayFeelingError

#: subcommand -> (module, one-line help). Names and flags are a stable contract.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("today_feeling.commands.run", "run the daemon (camera -> emotion -> mood -> music)"),
    "detect": ("today_feeling.commands.detect", "analyse an image, video, folder, camera or URL"),
    "bench": ("today_feeling.commands.bench", "measure per-stage latency, fps and peak memory"),
    "doctor": ("today_feeling.commands.doctor", "check camera, models, accelerator, MPD, broker"),
    "models": ("today_feeling.commands.models", "fetch and verify model files"),
    "eval-emotion": ("today_feeling.commands.eval_emotion", "emotion accuracy on labelled crops"),
    "library": ("today_feeling.commands.library", "index the MPD library by mood"),
    "config": ("today_feeling.commands.config", "print the example config or check a config"),
    "profile": ("today_feeling.commands.profile", "household profiles: enroll, list, show, delete"),
    "faces": ("today_feeling.commands.faces", "crop faces from photos for enrolment or training"),
}


#: What ``today-feeling --help`` says first: for the person at the shell, not for developers.
DESCRIPTION = ("Today Feeling: reads the listener's facial emotion on this device and plays music\n"
               "that fits the mood. 'today-feeling COMMAND --help' shows a command's options.")
EPILOG = """examples:
  today-feeling doctor                      check camera, models, accelerator, MPD and broker
  today-feeling detect photo.jpg            what the device sees in a picture or video
  today-feeling run --config FILE           the daemon (the systemd service runs this)
  today-feeling profile list                household profiles on this device
docs: README.md, docs/ (MQTT topics, music, dashboard, deployment)"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="today-feeling", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        # A module that fails to import is a packaging error: it must fail loudly, not
        # quietly remove a command users and scripts rely on.
        module = importlib.import_module(module_name)
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command_parser)
        command_parser.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",  # journald adds its own timestamps
        stream=sys.stderr,  # stdout stays clean for --json output; journald reads both
    )
    try:
        return int(args.handler(args))
    except TodayFeelingError as err:
        print(f"today-feeling: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130
