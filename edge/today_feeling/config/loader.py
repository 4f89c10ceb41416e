"""Reading the TOML file into :class:`Settings`."""

from __future__ import annotations

from pathlib import Path

from today_feeling.config.schema import parse_section, render_example
from today_feeling.config.settings import Settings
from today_feeling.errors import ConfigError
from today_feeling.tomlfile import TOMLDecodeError, loads

DEFAULT_CONFIG_PATH = Path("/etc/today-feeling/config.toml")

_HEADER = """Today Feeling configuration (TOML). Every key is optional; shown are the defaults.
Units are given in brackets. Unknown keys and out-of-range values are rejected at start-up
with a message naming the key (exit status 78), before any hardware is touched.
Print this file with: today-feeling config --example"""


def load_settings(path: Path | None, *, required: bool = False) -> Settings:
    """Load ``path`` (or the default path if it exists); a missing optional file gives defaults."""
    target = path if path is not None else DEFAULT_CONFIG_PATH
    if not target.exists():
        if required or path is not None:
            raise ConfigError(str(target), "config file not found")
        return Settings()
    try:
        data = loads(target.read_text(encoding="utf-8"))
    except TOMLDecodeError as err:
        raise ConfigError(str(target), f"not valid TOML: {err}") from err
    except OSError as err:
        raise ConfigError(str(target), f"cannot read: {err.strerror}") from err
    return parse_section(Settings, data)


def example_config() -> str:
    """The commented example config, generated from the settings declarations."""
    return render_example(Settings, _HEADER)
