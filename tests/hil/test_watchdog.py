"""A daemon that stops making progress is killed by the watchdog and restarted by systemd."""

from __future__ import annotations

import contextlib
import os
import signal

from tests.hil.conftest import timespan_s, unit_property, wait_for


def test_frozen_daemon_is_restarted(service_running: str) -> None:
    unit = service_running
    pid = int(unit_property(unit, "MainPID"))
    restarts = int(unit_property(unit, "NRestarts"))
    watchdog_s = timespan_s(unit_property(unit, "WatchdogUSec"))
    start_s = timespan_s(unit_property(unit, "TimeoutStartUSec"))
    restart_s = timespan_s(unit_property(unit, "RestartUSec"))
    # A frozen process cannot act on the watchdog's SIGABRT; SIGKILL follows after this long.
    abort_s = timespan_s(unit_property(unit, "TimeoutAbortUSec"))
    assert watchdog_s > 0, "the unit has no WatchdogSec="
    os.kill(pid, signal.SIGSTOP)  # frozen: no more WATCHDOG=1
    try:
        wait_for(lambda: int(unit_property(unit, "NRestarts")) > restarts,
                 watchdog_s + abort_s + restart_s + 30, "restart after the watchdog expired")
        wait_for(lambda: unit_property(unit, "ActiveState") == "active", start_s + 30,
                 "READY=1 from the restarted daemon")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)
    assert int(unit_property(unit, "MainPID")) != pid
