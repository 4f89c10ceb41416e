"""The throttling outbox between event publishers and the MQTT worker thread."""

from __future__ import annotations

import time

from tests.support.clock import ManualClock
from today_feeling.mqtt.outbox import Outbox, Outgoing


def msg(n: int) -> Outgoing:
    return Outgoing("t", str(n).encode())


def test_throttle_sends_first_at_once_then_latest_per_interval() -> None:
    clock = ManualClock(100.0)
    box = Outbox(clock)
    box.put_throttled("emotion", msg(1), 1.0)
    assert box.get(0) == msg(1)
    box.put_throttled("emotion", msg(2), 1.0)
    box.put_throttled("emotion", msg(3), 1.0)
    assert box.get(0) is None  # within the interval
    clock.now += 1.0
    assert box.get(0) == msg(3)  # the latest wins, the stale one is dropped
    assert box.get(0) is None


def test_fifo_items_go_before_a_due_throttled_message() -> None:
    box = Outbox(ManualClock(100.0))
    box.put_throttled("stats", msg(9), 5.0)  # due at once: nothing was sent for "stats" yet
    box.put(msg(1))
    box.put(msg(2))
    assert [box.get(0), box.get(0), box.get(0), box.get(0)] == [msg(1), msg(2), msg(9), None]


def test_close_drains_the_fifo_refuses_new_work_and_drops_throttled() -> None:
    box = Outbox(ManualClock(100.0))
    box.put_throttled("stats", msg(9), 5.0)
    box.put(msg(1))
    box.close()
    box.put(msg(2))  # refused after close
    box.put_throttled("emotion", msg(3), 1.0)  # refused too
    assert box.get(0) == msg(1)
    started = time.monotonic()
    assert box.get(5.0) is None  # closed and drained: None at once, not after the timeout
    assert time.monotonic() - started < 1.0


def test_bounded_queue_drops_oldest() -> None:
    box = Outbox(ManualClock(100.0), max_items=2)
    for n in range(3):
        box.put(msg(n))
    assert [box.get(0), box.get(0), box.get(0)] == [msg(1), msg(2), None]


def test_a_flood_of_received_messages_never_pushes_out_the_devices_own_state() -> None:
    """5,000 commands arrive (a controller gone wrong) while privacy=ON waits to be published:
    the state still goes out, and at most ``max_received`` of the commands are kept."""
    box = Outbox(ManualClock(100.0), max_items=10, max_received=100)
    handled: list[int] = []
    box.put(msg(1))
    for n in range(5000):
        box.put_received(lambda n=n: handled.append(n))  # type: ignore[misc]
    box.put(msg(2))
    assert [box.get(0), box.get(0)] == [msg(1), msg(2)]  # the device's own messages first, all kept
    while (item := box.get(0)) is not None:
        assert callable(item)
        item()
    assert handled == list(range(4900, 5000))  # the newest commands, in order
