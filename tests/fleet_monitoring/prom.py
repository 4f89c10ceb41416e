"""A real Prometheus on loopback with its own storage, and its HTTP API."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.deploy.paths import VENV_BIN
from tests.support.process import stop_process

T = TypeVar("T")


def binary(name: str) -> str:
    """prometheus or promtool from PATH, or skip naming the package (scripts/setup.sh --dev has it)."""
    found = shutil.which(name, path=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if not found:
        pytest.skip(f"{name} is not installed (apt-get install prometheus, or scripts/setup.sh --dev)")
    return found


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, interval: float = 0.5) -> T:
    """``probe()``'s first truthy result within ``timeout`` s, else AssertionError naming ``what``."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            last = probe()
            if last:
                return last
        except (OSError, ValueError) as err:
            last = err  # type: ignore[assignment]
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; last: {last!r}")


class Prometheus:
    """``prometheus`` on 127.0.0.1:``port`` reading ``config``; never the system service."""

    def __init__(self, config: Path, data: Path, port: int) -> None:
        self.config, self.data, self.port = config, data, port
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data.parent / "prometheus.log"

    def start(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [binary("prometheus"), f"--config.file={self.config}", f"--storage.tsdb.path={self.data}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                stdout=log, stderr=subprocess.STDOUT)
        wait_for("Prometheus to be ready", self._ready, timeout=60)

    def _ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"prometheus exited: {self.log()[-2000:]}")
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=5) as res:
            return bool(res.status == 200)

    def api(self, path: str, **params: str) -> Any:
        """The ``data`` of a /api/v1 answer (AssertionError when Prometheus says error)."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}{query}"
        try:
            with urllib.request.urlopen(url, timeout=10) as res:
                doc = json.loads(res.read())
        except urllib.error.HTTPError as err:  # a bad query is a 400 with the reason in the body
            doc = json.loads(err.read())
        assert doc["status"] == "success", doc
        return doc["data"]

    def targets(self) -> dict[str, str]:
        """device label -> health ("up", "down", "unknown") of each active target."""
        active = self.api("targets", state="active")["activeTargets"]
        return {t["labels"].get("device", ""): t["health"] for t in active}

    def firing(self, alertname: str) -> list[dict[str, str]]:
        """The labels of each firing alert called ``alertname``."""
        return [a["labels"] for a in self.api("alerts")["alerts"]
                if a["labels"]["alertname"] == alertname and a["state"] == "firing"]

    def stop(self) -> None:
        stop_process(self.proc)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.is_file() else ""
