"""Errors that carry an actionable message and the exit code the CLI should use.

Exit codes follow sysexits.h so that systemd and scripts can tell a bad config
(78, do not restart) from a missing resource (69/66) or a transient failure.
"""

from __future__ import annotations

EX_USAGE = 64
EX_DATAERR = 65
EX_NOINPUT = 66
EX_UNAVAILABLE = 69
EX_SOFTWARE = 70
EX_CONFIG = 78


class TodayFeelingError(Exception):
    """Base class: the message is shown to the user as-is, so it says what to do."""

    exit_code = EX_SOFTWARE


class ConfigError(TodayFeelingError):
    """A config value is unknown, mistyped or out of range; ``key`` names it."""

    exit_code = EX_CONFIG

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"config error at '{key}': {message}")
        self.key, self.message = key, message
        self.all: list[ConfigError] = [self]

    @classmethod
    def combine(cls, errors: list[ConfigError]) -> ConfigError:
        """One error for several: named by the first key, the message lists every one."""
        if len(errors) == 1:
            return errors[0]
        first, *others = errors
        also = "; ".join(f"'{e.key}': {e.message}" for e in others)
        combined = cls(first.key, f"{first.message}; also {also}")
        combined.all = list(errors)
        return combined


class ModelError(TodayFeelingError):
    """A model file is missing, corrupt or does not match the manifest."""

    exit_code = EX_NOINPUT


class SourceError(TodayFeelingError):
    """A frame source cannot be opened or has stopped delivering frames."""

    exit_code = EX_NOINPUT


class AcceleratorError(TodayFeelingError):
    """An explicitly requested accelerator could not be used."""

    exit_code = EX_UNAVAILABLE


class ProfileError(TodayFeelingError):
    """A profile is missing, unreadable, or was made with another emotion model."""

    exit_code = EX_DATAERR


class ProfileMissingError(ProfileError):
    exit_code = EX_NOINPUT
