"""Run inside ``unshare --mount`` as root (by test_store_full_disk.py): a history on a tiny
tmpfs fills it, the writer reports and keeps the rows, the disk grows, every row lands.

Prints one JSON line: what was reported and what the store holds at the end."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from today_feeling.domain.mood import MoodState
from today_feeling.events import EventBus, MoodChanged, ServiceStatus
from today_feeling.history.service import HistoryService
from today_feeling.history.store import HistoryStore

ROWS = 3000


def main(folder: Path) -> None:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], check=True)
    path = folder / "history.sqlite3"
    bus, statuses = EventBus(), []
    bus.subscribe(ServiceStatus, lambda e: statuses.append((e.connected, e.detail)))
    service = HistoryService(lambda: HistoryStore(path, 90, 100000), bus, heartbeat_s=3600)
    service.start()
    base = time.time() - 3600
    for i in range(ROWS):
        mood = MoodState(mood=("happiness", "sadness")[i % 2], confidence=0.8,
                         smoothed=None, candidate=None, face_present=True, changed=True)
        bus.publish(MoodChanged(None, mood, base + i))
        time.sleep(0.001)  # a day's moods arrive over time; the point is the disk, not the queue
    deadline = time.monotonic() + 20
    while not any(not ok for ok, _ in statuses) and time.monotonic() < deadline:
        time.sleep(0.1)
    full_reported = any(not ok for ok, _ in statuses)
    subprocess.run(["mount", "-o", "remount,size=8m", str(folder)], check=True)
    deadline = time.monotonic() + 60
    while not (statuses and statuses[-1][0]) and time.monotonic() < deadline:
        time.sleep(0.2)
    flushed = service.flush(timeout=30)
    service.stop()
    store = HistoryStore(path, 90, 100000)
    rows = store.counts()[0]
    store.close()
    print(json.dumps({"full_reported": full_reported, "recovered": bool(statuses and statuses[-1][0]),
                      "flushed": flushed, "rows": rows, "statuses": statuses[:3]}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
