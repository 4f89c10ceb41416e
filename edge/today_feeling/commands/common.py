"""Arguments and helpers shared by several subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from today_feeling.config import Settings, load_settings
from today_feeling.config.schema import replace_path
from today_feeling.config.settings import DEVICE_MODELS_DIR
from today_feeling.errors import ConfigError
from today_feeling.model_store.manifest import MANIFEST_NAME
from today_feeling.model_store.registry import user_models_dir

#: Flags that override one config key for one invocation: flag -> (key, metavar, help).
OVERRIDE_FLAGS: dict[str, tuple[str, str, str]] = {
    "--source": ("capture.source", "SOURCE",
                 "camera index, device, URL, video file, image or folder"),
    "--mqtt": ("mqtt.url", "URL", "broker URL (mqtt://HOST:PORT); '' disables MQTT"),
    "--mpd": ("mpd.address", "HOST:PORT|off", "MPD to drive, or 'off'"),
    "--device-id": ("device.id", "ID", "device id for topics and client ids"),
    "--http": ("http.bind", "ADDR:PORT", "dashboard bind address; '' disables it"),
    "--mqtt-ws": ("mqtt.ws_url", "URL", "broker WebSocket URL given to the dashboard"),
    "--models-dir": ("models.dir", "DIR", "models folder"),
    "--profiles-dir": ("profiles.dir", "DIR", "folder of household profiles"),
}


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, default=None,
        help="config file (default /etc/today-feeling/config.toml if it exists)",
    )


def add_override_arguments(parser: argparse.ArgumentParser, *flags: str) -> None:
    """Offer the named override flags (all of them when none are named)."""
    for flag in flags or tuple(OVERRIDE_FLAGS):
        key, metavar, help_text = OVERRIDE_FLAGS[flag]
        parser.add_argument(flag, metavar=metavar, help=f"{help_text} (config: {key})")


def apply_overrides(settings: Settings, args: argparse.Namespace) -> Settings:
    """Apply the override flags that were given, validated like the config file."""
    for flag, (key, _, _) in OVERRIDE_FLAGS.items():
        value: Any = getattr(args, flag.lstrip("-").replace("-", "_"), None)
        if value is None:
            continue
        try:
            settings = replace_path(settings, key, value)  # the file's own checks, key by key
        except ConfigError as err:
            raise ConfigError(key, f"{flag}: {err.message}") from err
        except (TypeError, ValueError) as err:  # a cross-field rule (__post_init__)
            raise ConfigError(key, f"{flag}: {err}") from err
    return settings


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Load and validate the config and the override flags before anything touches hardware."""
    path: Path | None = args.config
    return _with_fetched_models(apply_overrides(load_settings(path), args))


def _with_fetched_models(settings: Settings) -> Settings:
    """A developer's checkout: with models.dir left at the device default and nothing there,
    use the models ``scripts/setup.sh`` fetched into the user's cache (no flag needed)."""
    configured = Path(settings.models.dir).expanduser()
    if settings.models.dir != DEVICE_MODELS_DIR or (configured / MANIFEST_NAME).exists():
        return settings
    fetched = user_models_dir()
    if (fetched / MANIFEST_NAME).exists():
        return replace_path(settings, "models.dir", str(fetched))
    return settings
