"""A small MQTT v5 client the fleet tests run inside a network namespace.

    ip netns exec NS python -m tests.fleet.mqtt_tool listen --host H --port P --user U -t TOPIC
    ip netns exec NS python -m tests.fleet.mqtt_tool publish --host H ... -t TOPIC -m A -m B

The password comes from $TF_MQTT_PASSWORD (not the command line). It prints one JSON object
per line, flushed, so the test can follow it: ``connected`` (reason code), ``subscribed``
(granted codes), ``message`` (topic, payload, retain, qos) and ``published`` (reason code, from
the broker's PUBACK). MQTT v5 so that a refused publish or subscription says so. Every wait is
bounded; a listener exits by itself after --lifetime seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def make_client(args: argparse.Namespace) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=args.client_id, protocol=mqtt.MQTTv5)
    client.username_pw_set(args.user, os.environ.get("TF_MQTT_PASSWORD", ""))
    if args.cafile:
        client.tls_set(ca_certs=args.cafile)
    return client


def connect(client: mqtt.Client, args: argparse.Namespace) -> int:
    """Connect and wait for CONNACK; its reason code (0 = accepted)."""
    done = threading.Event()
    codes: list[int] = []

    def on_connect(_c: mqtt.Client, _u: object, _f: object, rc: ReasonCode, _p: object) -> None:
        codes.append(rc.value)
        done.set()

    client.on_connect = on_connect
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    if args.session_expiry:  # a session the broker keeps (and queues for) while we are away
        properties.SessionExpiryInterval = args.session_expiry
    client.connect(args.host, args.port, keepalive=10, clean_start=not args.session_expiry,
                   properties=properties)
    client.loop_start()
    if not done.wait(args.timeout):
        emit("connected", rc=-1)
        return -1
    emit("connected", rc=codes[0])
    return codes[0]


def listen(client: mqtt.Client, args: argparse.Namespace) -> int:
    subscribed = threading.Event()

    def on_subscribe(_c: mqtt.Client, _u: object, _mid: int, codes: list[ReasonCode], _p: object) -> None:
        emit("subscribed", granted=[code.value for code in codes])
        subscribed.set()

    def on_message(_c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        emit("message", topic=msg.topic, payload=msg.payload.decode(errors="replace"),
             retain=bool(msg.retain), qos=msg.qos)

    client.on_subscribe, client.on_message = on_subscribe, on_message
    if connect(client, args) != 0:
        return 2
    client.subscribe([(topic, args.qos) for topic in args.topic])
    if not subscribed.wait(args.timeout):
        return 3
    time.sleep(args.lifetime)
    return 0


def _has(acks: dict[int, int], mid: int) -> Callable[[], bool]:
    return lambda: mid in acks


def publish(client: mqtt.Client, args: argparse.Namespace) -> int:
    acks: dict[int, int] = {}
    acked = threading.Condition()

    def on_publish(_c: mqtt.Client, _u: object, mid: int, rc: ReasonCode, _p: Properties) -> None:
        with acked:
            acks[mid] = rc.value
            acked.notify_all()

    client.on_publish = on_publish
    if connect(client, args) != 0:
        return 2
    for payload in args.message:
        info = client.publish(args.topic[0], payload, qos=args.qos, retain=args.retain)
        with acked:
            if not acked.wait_for(_has(acks, info.mid), timeout=args.timeout):
                return 3
        emit("published", rc=acks[info.mid])
    client.disconnect()
    return 0


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="mqtt_tool")
    parser.add_argument("mode", choices=["listen", "publish"])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--cafile", default="")
    parser.add_argument("--client-id", default="")
    parser.add_argument("-t", "--topic", action="append", required=True)
    parser.add_argument("-m", "--message", action="append", default=[])
    parser.add_argument("--qos", type=int, default=1)
    parser.add_argument("--retain", action="store_true")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--lifetime", type=float, default=180.0)
    parser.add_argument("--session-expiry", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    client = make_client(args)
    try:
        return listen(client, args) if args.mode == "listen" else publish(client, args)
    finally:
        client.loop_stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
