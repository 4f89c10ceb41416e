"""What a profile may be called: it becomes a file name and an MQTT payload."""

from __future__ import annotations

import re
import unicodedata

#: Letters of any script (a Korean household names itself in Hangul), digits, space, '-', '_'.
_NAME = re.compile(r"^[^\W_][\w \-]{0,31}$")
#: Payloads that mean "no profile".
NO_PROFILE = ("", "none", "off")


def check_profile_name(name: str) -> str:
    """The NFC-normalised name, or ValueError saying what is allowed.

    Why NFC: the same Hangul name typed on a Mac arrives decomposed (NFD); one person must map
    to one file.
    """
    text = unicodedata.normalize("NFC", name.strip())
    if text.lower() in NO_PROFILE:
        raise ValueError(f"{name!r} is reserved (it means no profile)")
    if not _NAME.match(text):
        raise ValueError(
            f"profile name {name!r}: 1-32 letters, digits, spaces, '-' or '_', starting with a "
            "letter or digit")
    return text
