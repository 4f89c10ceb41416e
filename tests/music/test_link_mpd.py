"""The MPD connection's lifecycle on its own: backoff against a closed port, generations and the
idle thread against a real mpd on loopback."""

from __future__ import annotations

import queue
from collections.abc import Iterator

import pytest
from mpd import MPDClient

from tests.conftest import free_port
from tests.music.conftest import mpd_settings
from tests.support.clock import ManualClock
from tests.support.wait import wait_for
from today_feeling.config.music import MpdSettings
from today_feeling.events import EventBus, ServiceStatus
from today_feeling.music import messages as msg
from today_feeling.music.link import MpdLink
from today_feeling_dev.local_mpd import LocalMpd


class Wired:
    """A link with its inbox and the ServiceStatus events it published."""

    def __init__(self, settings: MpdSettings, clock: ManualClock | None = None) -> None:
        self.inbox: queue.Queue[msg.Message] = queue.Queue()
        self.statuses: list[ServiceStatus] = []
        bus = EventBus()
        bus.subscribe(ServiceStatus, self.statuses.append)
        self.link = MpdLink(settings, self.inbox, bus, *([clock] if clock else []))

    def next_message(self, timeout_s: float = 10.0) -> msg.Message:
        return self.inbox.get(timeout=timeout_s)


@pytest.fixture
def wired(mpd_server: LocalMpd) -> Iterator[Wired]:
    wired = Wired(mpd_settings(mpd_server))
    yield wired
    wired.link.drop("test over")


def test_no_mpd_backs_off_doubling_up_to_the_maximum() -> None:
    clock = ManualClock(50.0)
    closed = MpdSettings(address=f"127.0.0.1:{free_port()}", retry_initial_s=0.1, retry_max_s=0.5,
                         timeout_s=1.0)
    wired = Wired(closed, clock)
    delays = []
    for _ in range(5):
        assert wired.link.due()
        assert wired.link.open() is None
        assert not wired.link.due()
        delays.append(round(wired.link.wait_s(cap_s=10.0), 3))
        clock.now += delays[-1]
    assert delays == [0.1, 0.2, 0.4, 0.5, 0.5]
    assert wired.link.wait_s(cap_s=10.0) == 0.01  # due now: the worker only glances at its inbox
    assert wired.link.generation == 0 and wired.statuses == []


def test_each_connection_has_a_generation_its_idle_thread_stamps(
        wired: Wired, client: MPDClient) -> None:
    assert wired.link.open() is not None
    assert wired.link.generation == 1 and wired.link.is_current(1)
    client.setvol(40)  # another client's change reaches us through the idle connection
    assert wired.next_message() == msg.ServerChanged(("mixer",), 1)
    wired.link.announce_up()
    wired.link.drop()
    assert wired.next_message() == msg.IdleLost(1)  # the blocked idle call was woken up
    assert wired.statuses == [ServiceStatus("mpd", True, wired.link.address),
                              ServiceStatus("mpd", False, f"reconnecting to {wired.link.address}")]
    wait_for(wired.link.due, timeout_s=2.0, what="the reconnect delay")
    assert wired.link.open() is not None
    assert wired.link.generation == 2 and not wired.link.is_current(1)
    client.setvol(60)
    assert wired.next_message() == msg.ServerChanged(("mixer",), 2)


def test_a_killed_mpd_ends_the_idle_thread_with_idle_lost(wired: Wired, mpd_server: LocalMpd) -> None:
    assert wired.link.open() is not None
    mpd_server.kill()
    assert wired.next_message() == msg.IdleLost(1)
    wired.link.drop()
    assert wired.statuses == []  # never announced as up: nothing to take back
    assert wired.link.open() is None  # and it backs off until mpd is back
