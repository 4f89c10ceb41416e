"""Config: parse-and-validate only (the loader reads the file; the models do no I/O)."""

from today_feeling.config.loader import DEFAULT_CONFIG_PATH, example_config, load_settings
from today_feeling.config.settings import Settings

__all__ = ["DEFAULT_CONFIG_PATH", "Settings", "example_config", "load_settings"]
