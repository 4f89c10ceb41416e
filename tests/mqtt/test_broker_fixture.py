"""The broker fixture itself: listeners, restart on the same port, passwords, websockets."""

from __future__ import annotations

import socket
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.fixtures.broker import Broker, BrokerFactory
from tests.fixtures.mqtt_probe import Probe

# A hang is a failure, never a stuck run (every wait inside is bounded too).
pytestmark = pytest.mark.timeout(60)


def test_plain_broker_delivers_retained_and_survives_restart(broker: Broker) -> None:
    probe = Probe(broker.port, ("t/#",))
    try:
        probe.publish("t/a", "1", retain=True)
        assert probe.wait_text("t/a", "1").payload == b"1"
        broker.restart()
        assert broker.running
    finally:
        probe.close()
    again = Probe(broker.port, ("t/#",))
    again.close()  # reconnects on the same port; retained state is gone without persistence


def test_kill_stops_listening(broker: Broker) -> None:
    broker.kill()
    assert not broker.running
    with pytest.raises(ConnectionRefusedError):
        Probe(broker.port)


def test_password_broker_accepts_only_right_credentials(make_broker: BrokerFactory) -> None:
    secured = make_broker(users={"reader": "r-pass"})
    Probe(secured.port, username="reader", password="r-pass").close()
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.username_pw_set("reader", "wrong")
    client.connect("127.0.0.1", secured.port)
    result: list[object] = []
    client.on_connect = lambda *args: result.append(args[3])
    for _ in range(50):
        client.loop(timeout=0.1)
        if result:
            break
    client.disconnect()
    assert result
    assert getattr(result[0], "is_failure", False)


def test_websockets_listener(make_broker: BrokerFactory) -> None:
    ws = make_broker(websockets=True)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, transport="websockets")
    connected: list[object] = []
    client.on_connect = lambda *args: connected.append(args[3])
    assert ws.ws_port is not None
    client.connect("127.0.0.1", ws.ws_port)
    for _ in range(50):
        client.loop(timeout=0.1)
        if connected:
            break
    client.disconnect()
    assert connected
    assert not getattr(connected[0], "is_failure", True)
    assert ws.ws_url.startswith("ws://127.0.0.1:")


def test_first_start_moves_to_fresh_ports_when_one_was_taken(make_broker: BrokerFactory) -> None:
    fresh = make_broker(start=False)
    taken = fresh.port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        fresh.start()
        assert fresh.port != taken
        assert fresh.running
    Probe(fresh.port).close()


def test_acl_file_is_enforced(make_broker: BrokerFactory) -> None:
    acl = "user reader\ntopic read t/#\n"
    secured = make_broker(users={"reader": "pw"}, acl=acl)
    probe = Probe(secured.port, ("t/#",), username="reader", password="pw")
    try:
        probe.client.publish("t/x", "1", qos=1).wait_for_publish(5)  # refused by the ACL
        time.sleep(0.3)  # a negative check
        assert probe.on("t/x") == []
    finally:
        probe.close()
