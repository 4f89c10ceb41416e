"""Reconnect backoff: doubling up to the maximum, reset to the start."""

from __future__ import annotations

from today_feeling.backoff import Backoff


def test_backoff_doubles_up_to_the_maximum() -> None:
    backoff = Backoff(1.0, 5.0, jitter=0)
    assert [backoff.next_delay() for _ in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    backoff.reset()
    assert backoff.next_delay() == 1.0
