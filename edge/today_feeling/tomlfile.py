"""Reading TOML on every Python we run on: tomllib (3.11+), or its backport tomli (3.10).

JetPack 6 ships Ubuntu 22.04's Python 3.10, which has no tomllib; tomli is the same parser
(tomllib was taken from it), installed only there (pyproject's environment marker).
"""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib as _toml  # novermin (guarded by the version check)
else:  # pragma: no cover - exercised on a Jetson, checked statically here (tests/test_py310.py)
    import tomli as _toml

loads = _toml.loads
TOMLDecodeError = _toml.TOMLDecodeError
