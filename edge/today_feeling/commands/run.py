"""``today-feeling run``: the daemon. Flags override the config file for one run."""

from __future__ import annotations

import argparse
from typing import Any

from today_feeling.commands.common import add_config_argument, settings_from_args
from today_feeling.config import Settings
from today_feeling.config.schema import replace_path
from today_feeling.errors import ConfigError

#: flag attribute -> dotted settings key it overrides.
OVERRIDES = {
    "source": "capture.source",
    "mqtt": "mqtt.url",
    "mpd": "mpd.address",
    "device_id": "device.id",
    "http": "http.bind",
    "mqtt_ws": "mqtt.ws_url",
    "models_dir": "models.dir",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("--source", help="camera index, device, URL, video file, image or folder")
    parser.add_argument("--mqtt", metavar="URL", help="broker URL (mqtt://HOST:PORT), '' disables")
    parser.add_argument("--mpd", metavar="HOST:PORT|off", help="MPD to drive, or 'off'")
    parser.add_argument("--device-id", metavar="ID", help="device id for topics and client ids")
    parser.add_argument("--http", metavar="ADDR:PORT", help="dashboard bind address, '' disables")
    parser.add_argument("--mqtt-ws", metavar="URL", help="broker WebSocket URL given to the page")
    parser.add_argument("--models-dir", metavar="DIR", help="models folder")
    parser.add_argument("--loop", action="store_true", help="replay a file or folder endlessly")


def apply_overrides(settings: Settings, args: argparse.Namespace) -> Settings:
    """Apply command-line overrides, validated like the config file."""
    for attribute, key in OVERRIDES.items():
        value: Any = getattr(args, attribute, None)
        if value is None:
            continue
        try:
            settings = replace_path(settings, key, value)
        except (TypeError, ValueError) as err:
            raise ConfigError(key, f"--{attribute.replace('_', '-')}: {err}") from err
    if getattr(args, "loop", False):
        settings = replace_path(settings, "capture.replay_loop", True)
    return settings


def run(args: argparse.Namespace) -> int:
    settings = apply_overrides(settings_from_args(args), args)
    from today_feeling.app import Daemon  # heavy imports only once the config is valid

    return Daemon(settings).run()
