"""A process that holds an MQTT connection until it is killed (for last-will tests).

Usage: python -m tests.mqtt.holder URL DEVICE_ID
Prints READY once connected, then serves until SIGTERM (clean stop) or SIGKILL.
"""

from __future__ import annotations

import signal
import sys
import threading

from today_feeling.config.mqtt import MqttSettings
from today_feeling.config.settings import DeviceSettings, Settings
from today_feeling.domain.controls import Controls
from today_feeling.events import EventBus
from today_feeling.mqtt import build_service


def main() -> int:
    url, device_id = sys.argv[1], sys.argv[2]
    settings = Settings(device=DeviceSettings(id=device_id),
                        mqtt=MqttSettings(url=url, keepalive_s=5, reconnect_min_s=0.1,
                                          reconnect_max_s=0.5))
    service = build_service(settings, EventBus(), Controls(), environ={})
    assert service is not None
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    service.start()
    if not service.connected.wait(10):
        return 2
    print("READY", flush=True)
    done.wait()
    service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
