"""Stopping a helper process started by a test: politely first, then for sure."""

from __future__ import annotations

import subprocess


def stop_process(proc: subprocess.Popen[bytes] | subprocess.Popen[str] | None, timeout: float = 15.0) -> None:
    """SIGTERM and wait; SIGKILL if it is still there after ``timeout`` seconds.

    Brokers, daemons and Prometheus get the chance to flush and close on SIGTERM (what a
    test usually wants to see), but a hung one must never hang the suite.
    """
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)
