"""Test-side handles on tests/fleet/mqtt_tool.py clients running inside network namespaces."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.process import stop_process

REPO_ROOT = Path(__file__).resolve().parents[2]
Event = dict[str, Any]


@dataclass(frozen=True)
class Endpoint:
    """A broker as seen from one namespace, and the account used there."""

    namespace: str
    host: str
    port: int
    user: str
    password: str
    cafile: Path | None = None

    def argv(self, mode: str, topics: list[str], extra: list[str]) -> list[str]:
        tool = [sys.executable, "-m", "tests.fleet.mqtt_tool", mode, "--host", self.host,
                "--port", str(self.port), "--user", self.user]
        tool += ["--cafile", str(self.cafile)] if self.cafile else []
        for topic in topics:
            tool += ["-t", topic]
        return ["ip", "netns", "exec", self.namespace, *tool, *extra]

    def env(self) -> dict[str, str]:
        return {**os.environ, "TF_MQTT_PASSWORD": self.password}


class Listener:
    """A subscribed client whose messages the test reads with bounded waits."""

    def __init__(self, endpoint: Endpoint, topics: list[str], client_id: str, timeout: float = 15,
                 session_expiry: int = 0) -> None:
        extra = ["--client-id", client_id, "--session-expiry", str(session_expiry)]
        self._proc = subprocess.Popen(
            endpoint.argv("listen", topics, extra), cwd=REPO_ROOT, env=endpoint.env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._events: queue.Queue[Event] = queue.Queue()
        self.messages: list[Event] = []
        threading.Thread(target=self._read, daemon=True).start()
        ready = self._next("subscribed", timeout)
        if ready is None:
            self.close()
            raise RuntimeError(f"listener {client_id} not subscribed in {timeout}s: {self._stderr()}")
        self.granted: list[int] = ready["granted"]

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._events.put(json.loads(line))

    def _next(self, kind: str, timeout: float) -> Event | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self._events.get(timeout=left)
            except queue.Empty:
                return None
            if event["event"] == "message":
                self.messages.append(event)
            if event["event"] == kind:
                return event
        return None

    def wait_for(self, match: Callable[[Event], bool], timeout: float) -> Event:
        """The first message (already received or arriving within ``timeout``) that matches."""
        for message in self.messages:
            if match(message):
                return message
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            arrived = self._next("message", left)
            if arrived is not None and match(arrived):
                return arrived
        raise AssertionError(f"no matching message in {timeout}s; got {self.messages}")

    def before(self, match: Callable[[Event], bool], timeout: float) -> list[Event]:
        """Every message received before the first one that matches (a marker)."""
        marker = self.wait_for(match, timeout)
        return self.messages[: self.messages.index(marker)]

    def _stderr(self) -> str:
        with contextlib.suppress(Exception):
            _, err = self._proc.communicate(timeout=5)
            return err
        return ""

    def close(self) -> None:
        stop_process(self._proc, timeout=5)


def publish(endpoint: Endpoint, topic: str, *payloads: str, retain: bool = False,
            client_id: str = "", timeout: float = 20) -> list[int]:
    """Publish at QoS 1 and return the PUBACK reason codes (0 = accepted, 135 = not authorized)."""
    extra = ["--client-id", client_id] if client_id else []
    for payload in payloads:
        extra += ["-m", payload]
    result = subprocess.run(
        endpoint.argv("publish", [topic], [*extra, *(["--retain"] if retain else [])]),
        cwd=REPO_ROOT, env=endpoint.env(), capture_output=True, text=True, timeout=timeout, check=False)
    events = [json.loads(line) for line in result.stdout.splitlines()]
    codes = [event["rc"] for event in events if event["event"] == "published"]
    if result.returncode != 0 or len(codes) != len(payloads):
        raise AssertionError(f"publish to {topic} failed rc={result.returncode}: {events} {result.stderr}")
    return codes


def is_message(topic: str, payload: str | None = None) -> Callable[[Event], bool]:
    """A matcher for ``wait_for``: this topic (and payload, when given)."""
    return lambda m: m["topic"] == topic and (payload is None or m["payload"] == payload)


def topics(messages: list[Event]) -> list[tuple[str, str]]:
    """(topic, payload) of each message, for readable assertions."""
    return [(message["topic"], message["payload"]) for message in messages]
