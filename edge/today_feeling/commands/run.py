"""``today-feeling run``: the daemon. Flags override the config file for one run."""

from __future__ import annotations

import argparse

from today_feeling.commands.common import (
    add_config_argument,
    add_override_arguments,
    settings_from_args,
)
from today_feeling.config.schema import replace_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    add_override_arguments(parser)
    parser.add_argument("--loop", action="store_true", help="replay a file or folder endlessly")


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if args.loop:
        settings = replace_path(settings, "capture.replay_loop", True)
    from today_feeling.app import Daemon  # heavy imports only once the config is valid

    return Daemon(settings).run()
