"""Arguments and helpers shared by several subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path

from today_feeling.config import Settings, load_settings


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, default=None,
        help="config file (default /etc/today-feeling/config.toml if it exists)",
    )


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Load and validate the config before anything touches hardware."""
    path: Path | None = args.config
    return load_settings(path)
