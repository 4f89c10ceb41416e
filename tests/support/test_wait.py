"""The shared wait: returns what the predicate found, fails in time naming what did not happen."""

from __future__ import annotations

import time

import pytest

from tests.support.wait import wait_for


def test_returns_the_first_truthy_value() -> None:
    answers = iter([None, 0, [], ["ready"]])
    assert wait_for(lambda: next(answers), 2.0, "an answer", poll_s=0.001) == ["ready"]


def test_fails_after_the_timeout_naming_what_did_not_happen() -> None:
    asked: list[float] = []
    started = time.monotonic()
    with pytest.raises(AssertionError, match=r"after 0\.2 s waiting for the door to open"):
        wait_for(lambda: asked.append(time.monotonic()), 0.2, "the door to open", poll_s=0.05)
    elapsed = time.monotonic() - started
    assert 0.2 <= elapsed < 1.0
    assert asked[-1] - started >= 0.2  # asked once more at the deadline, not given up early

