"""One bounded wait for tests that watch another thread or process get somewhere."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: Long enough for a loaded CI machine, short enough that a hang fails in seconds, not minutes.
DEFAULT_TIMEOUT_S = 10.0


def wait_for(predicate: Callable[[], T], timeout_s: float = DEFAULT_TIMEOUT_S,
             what: str = "the condition", poll_s: float = 0.05) -> T:
    """Poll ``predicate`` until it returns something truthy and return that; after ``timeout_s``
    fail the test with an AssertionError naming ``what`` did not happen.

    The predicate is always asked once more at the deadline, so a slow poll never turns a
    success at the last moment into a failure.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        expired = time.monotonic() >= deadline
        value = predicate()
        if value:
            return value
        if expired:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(min(poll_s, max(0.0, deadline - time.monotonic())))
