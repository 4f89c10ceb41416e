"""``today-feeling doctor``: check camera, models, accelerator, MPD and broker."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from today_feeling.commands.common import (
    add_config_argument,
    add_override_arguments,
    settings_from_args,
)
from today_feeling.doctor import run_checks


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    add_override_arguments(parser, "--source", "--mqtt", "--mpd", "--models-dir", "--profiles-dir")
    parser.add_argument("--json", action="store_true", help="machine-readable results")


def run(args: argparse.Namespace) -> int:
    checks = run_checks(settings_from_args(args))
    if args.json:
        print(json.dumps([asdict(c) for c in checks]))
    else:
        for check in checks:
            print(f"[{'ok' if check.ok else 'FAIL'}] {check.name}: {check.detail}")
            if not check.ok and check.fix:
                print(f"       fix: {check.fix}")
    return 0 if all(c.ok for c in checks) else 1
