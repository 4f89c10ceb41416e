"""``today-feeling config``: print the documented example, or validate a file."""

from __future__ import annotations

import argparse

from today_feeling.commands.common import add_config_argument, settings_from_args
from today_feeling.config import example_config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("--example", action="store_true", help="print the commented example config")


def run(args: argparse.Namespace) -> int:
    if args.example:
        print(example_config(), end="")
        return 0
    settings_from_args(args)
    print(f"config OK: {args.config or 'defaults'}")
    return 0
