"""The fleet fixture: a central broker and three devices, each in its own network namespace,
configured by the Ansible roles and bridged over TLS. Everything is removed at teardown."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.fixtures.certs import make_certs
from tests.fleet.brokers import MOSQUITTO, NamespacedBroker, device_main_config
from tests.fleet.clients import Endpoint, Listener, is_message
from tests.fleet.netns import CENTRAL_IP, ETC_NETNS, Topology
from tests.fleet.render import CENTRAL_PORT, LOCAL_PORT, Fleet, render

#: Each device's inventory groups besides today_feeling: alpha and charlie are upstairs.
GROUPS = {"alpha": ["upstairs"], "bravo": [], "charlie": ["upstairs"]}
BRIDGE_UP_TIMEOUT_S = 30


def bridge_state(device: str) -> str:
    """Where a device's bridge keeps its link state ("1" / "0"), retained, at both ends."""
    return f"$SYS/broker/connection/today_feeling-{device}/state"


@dataclass
class RunningFleet:
    fleet: Fleet
    topology: Topology
    central: NamespacedBroker
    devices: dict[str, NamespacedBroker]

    def at_central(self, user: str, password: str | None = None) -> Endpoint:
        """The central broker over TLS, from the central namespace (operators live there)."""
        return Endpoint(self.topology.central, CENTRAL_IP, CENTRAL_PORT, user,
                        self.fleet.password(user) if password is None else password, self.fleet.pki.ca)

    def at_device(self, device: str, user: str = "probe") -> Endpoint:
        """A device's local broker, from inside its namespace; ``probe`` reads today_feeling/#."""
        password = self.fleet.password("probe" if user == "probe" else f"{device}-local")
        return Endpoint(self.topology.namespaces[device], "127.0.0.1", LOCAL_PORT, user, password)

    def wait_bridges(self, state: str, devices: list[str], timeout: float = BRIDGE_UP_TIMEOUT_S) -> None:
        """Wait until central holds each device's bridge notification ``state`` ("1" up, "0" lost)."""
        listener = Listener(self.at_central("fleet"), ["$SYS/broker/connection/+/state"],
                            f"bridges-{secrets.token_hex(3)}")
        try:
            for device in devices:
                listener.wait_for(is_message(bridge_state(device), state), timeout)
        finally:
            listener.close()


def _require_tools() -> None:
    if os.geteuid() != 0:
        pytest.skip("the fleet tests create network namespaces: run as root")
    for tool in ("ip", "openssl", MOSQUITTO):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (iproute2, openssl, mosquitto)")
    if not os.access(ETC_NETNS.parent, os.W_OK):
        pytest.skip(f"{ETC_NETNS.parent} is not writable (ip netns exec mounts /etc/netns/<ns>/*)")


def _start(fleet: Fleet, topology: Topology, stack: contextlib.ExitStack) -> RunningFleet:
    central = NamespacedBroker(topology.central, fleet.central_dir / "mosquitto.conf",
                               fleet.root / "central.log")
    stack.callback(central.stop)
    central.start()
    devices = {}
    for device, namespace in topology.namespaces.items():
        log = fleet.root / f"{device}.log"
        config = device_main_config(topology.etc(device), fleet.root / f"{device}-db", log)
        devices[device] = NamespacedBroker(namespace, config, log)
        stack.callback(devices[device].stop)
        devices[device].start()
    return RunningFleet(fleet, topology, central, devices)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningFleet]:
    _require_tools()
    root = tmp_path_factory.mktemp("fleet")
    topology = Topology(f"{os.getpid() % 10000}{secrets.token_hex(2)}", list(GROUPS))
    with contextlib.ExitStack() as stack:
        stack.callback(topology.delete)
        topology.create()
        fleet = Fleet(root, make_certs(root / "pki", CENTRAL_IP), GROUPS)
        render(fleet, topology)
        running = _start(fleet, topology, stack)
        running.wait_bridges("1", list(GROUPS))
        yield running
