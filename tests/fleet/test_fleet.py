"""A fleet on real brokers: devices' mosquittos bridged over TLS to a central mosquitto, all
configured by the Ansible roles, each in its own network namespace (tests/fleet/conftest.py).

Markers make negative checks exact instead of timed: a message that should not arrive would
have been routed before a marker the broker accepted after it (publishes wait for their PUBACK)
and that travels the same path, so "nothing before the marker" is proof, not a sleep.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fleet.clients import Event, Listener, is_message, publish, topics
from tests.fleet.conftest import RunningFleet, bridge_state
from tests.fleet.netns import CENTRAL_IP
from tests.fleet.render import ANSIBLE_DIR, CENTRAL_PORT, NO_BRIDGE_FLAG, ansible_env, changed_counts, render

pytestmark = pytest.mark.slow

WAIT_S = 20
NOT_AUTHORIZED = 135
OUTAGE_WAIT_S = 60


def tag() -> str:
    return secrets.token_hex(4)


def commands(messages: list[Event]) -> list[tuple[str, str]]:
    return [pair for pair in topics(messages) if pair[0].endswith("/set")]


def test_device_state_reaches_central_retained_at_qos1(fleet: RunningFleet) -> None:
    mood = f"mood-{tag()}"
    live = Listener(fleet.at_central("fleet"), ["today_feeling/alpha/mood"], f"a-live-{tag()}")
    try:
        publish(fleet.at_device("alpha", "alpha"), "today_feeling/alpha/mood", mood, retain=True)
        received = live.wait_for(is_message("today_feeling/alpha/mood", mood), WAIT_S)
    finally:
        live.close()
    assert received["qos"] == 1  # the bridge forwarded at QoS 1 (the subscription asked for 1)
    late = Listener(fleet.at_central("fleet"), ["today_feeling/alpha/mood"], f"a-late-{tag()}")
    try:
        retained = late.wait_for(is_message("today_feeling/alpha/mood", mood), WAIT_S)
    finally:
        late.close()
    assert retained["retain"] is True  # kept at central for whoever subscribes later


def test_a_second_ansible_run_changes_nothing(fleet: RunningFleet) -> None:
    """Password hashes and bridge client ids are derived, not random: rerunning the playbooks
    rewrites no file, so no broker restarts and no bridge drops."""
    render(fleet.fleet, fleet.topology)
    names = ["central", *fleet.devices]
    assert changed_counts(fleet.fleet, names) == dict.fromkeys(names, 0)


def test_a_device_account_is_confined_to_its_own_topics(fleet: RunningFleet) -> None:
    marker = f"marker-{tag()}"
    watch = Listener(fleet.at_central("fleet"), ["today_feeling/#"], f"c-watch-{tag()}")
    intruder = fleet.at_central("alpha")  # alpha's own central credentials, another client id
    try:
        forged = [publish(intruder, topic, "forged", client_id=f"c-pub-{tag()}")[0] for topic in (
            "today_feeling/bravo/mood", "today_feeling/bravo/privacy/set",
            "today_feeling/group/upstairs/privacy/set")]
        assert publish(intruder, "today_feeling/alpha/probe", marker, client_id=f"c-pub-{tag()}") == [0]
        seen = watch.before(is_message("today_feeling/alpha/probe", marker), WAIT_S)
    finally:
        watch.close()
    assert forged == [NOT_AUTHORIZED] * 3
    assert not [m for m in seen if m["payload"] == "forged"]


def test_a_device_account_cannot_receive_another_devices_commands(fleet: RunningFleet) -> None:
    marker = f"marker-{tag()}"
    spy = Listener(fleet.at_central("alpha"), ["today_feeling/bravo/#", "today_feeling/alpha/+/set"],
                   f"c-spy-{tag()}")
    try:
        operator = fleet.at_central("fleet")
        publish(operator, "today_feeling/bravo/privacy/set", "ON")
        publish(operator, "today_feeling/alpha/volume/set", marker)
        seen = spy.before(is_message("today_feeling/alpha/volume/set", marker), WAIT_S)
    finally:
        spy.close()
    # mosquitto 2.0 grants the subscription (SUBACK 1) and applies the ACL to each delivery
    assert not [m for m in seen if m["topic"].startswith("today_feeling/bravo/")]


def test_a_command_at_central_reaches_only_its_device(fleet: RunningFleet) -> None:
    marker = f"marker-{tag()}"
    probes = {d: Listener(fleet.at_device(d), ["today_feeling/#"], f"d-{d}-{tag()}") for d in fleet.devices}
    central = Listener(fleet.at_central("fleet"), ["today_feeling/+/+/set"], f"d-central-{tag()}")
    try:
        publish(fleet.at_central("fleet"), "today_feeling/alpha/privacy/set", "ON")
        for device in fleet.devices:
            publish(fleet.at_central("fleet"), f"today_feeling/{device}/paused/set", marker)
        seen = {d: probe.before(is_message(f"today_feeling/{d}/paused/set", marker), WAIT_S)
                for d, probe in probes.items()}
        at_central = central.before(is_message("today_feeling/charlie/paused/set", marker), WAIT_S)
    finally:
        for listener in [*probes.values(), central]:
            listener.close()
    assert commands(seen["alpha"]) == [("today_feeling/alpha/privacy/set", "ON")]  # once: no loop
    assert commands(seen["bravo"]) == [] and commands(seen["charlie"]) == []
    # nothing came back from a bridge: central saw each command once, as published
    assert commands(at_central) == [("today_feeling/alpha/privacy/set", "ON"),
                                    ("today_feeling/alpha/paused/set", marker),
                                    ("today_feeling/bravo/paused/set", marker)]


def group_command(fleet: RunningFleet, group: str, command: str, payload: str) -> None:
    """ansible/group_command.yml, run on the 'controller' (here: the central namespace)."""
    argv = fleet.topology.exec_argv(
        fleet.topology.central, str(Path(sys.executable).parent / "ansible-playbook"),
        "-i", "localhost,", "group_command.yml",
        "-e", f"fleet_address={CENTRAL_IP}:{CENTRAL_PORT}", "-e", f"fleet_ca={fleet.fleet.pki.ca}",
        "-e", f"fleet_password={fleet.fleet.password('fleet')}", "-e", f"fleet_group={group}",
        "-e", f"fleet_command={command}", "-e", f"fleet_payload={payload}")
    result = subprocess.run(argv, cwd=ANSIBLE_DIR, env=ansible_env(fleet.fleet.root, "group"),
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_a_group_command_reaches_exactly_the_groups_devices(fleet: RunningFleet) -> None:
    marker = f"marker-{tag()}"
    probes = {d: Listener(fleet.at_device(d), ["today_feeling/#"], f"e-{d}-{tag()}") for d in fleet.devices}
    central = Listener(fleet.at_central("fleet"), ["today_feeling/#"], f"e-central-{tag()}")
    try:
        publish(fleet.at_central("fleet"), "today_feeling/group/upstairs/privacy/set", "OFF")
        group_command(fleet, "today_feeling", "mode", marker)  # every device, by the playbook
        seen = {d: probe.before(is_message(f"today_feeling/{d}/mode/set", marker), WAIT_S)
                for d, probe in probes.items()}
        at_central = central.before(is_message("today_feeling/group/today_feeling/mode/set", marker), WAIT_S)
    finally:
        for listener in [*probes.values(), central]:
            listener.close()
    upstairs = fleet.fleet.members("upstairs")
    assert upstairs == ["alpha", "charlie"]
    for device in fleet.devices:
        expected = [(f"today_feeling/{device}/privacy/set", "OFF")] if device in upstairs else []
        assert commands(seen[device]) == expected, device
    assert commands(at_central) == [("today_feeling/group/upstairs/privacy/set", "OFF")]


def test_messages_during_a_link_cut_arrive_after_it(fleet: RunningFleet) -> None:
    run = tag()
    watch = Listener(fleet.at_central("fleet"), ["today_feeling/alpha/#", bridge_state("alpha")],
                     f"b-watch-{run}")
    local = Listener(fleet.at_device("alpha"), ["today_feeling/alpha/+/set"], f"b-local-{run}")
    sent = [f"{run}-{n}" for n in range(5)]
    try:
        fleet.topology.set_link("alpha", up=False)
        publish(fleet.at_device("alpha", "alpha"), "today_feeling/alpha/outage", *sent)
        publish(fleet.at_central("fleet"), "today_feeling/alpha/volume/set", run)
        watch.wait_for(is_message(bridge_state("alpha"), "0"), OUTAGE_WAIT_S)  # central lost it
        assert not [m for m in watch.messages if m["topic"] == "today_feeling/alpha/outage"]
        fleet.topology.set_link("alpha", up=True)
        watch.wait_for(is_message("today_feeling/alpha/outage", sent[-1]), OUTAGE_WAIT_S)
        command = local.wait_for(is_message("today_feeling/alpha/volume/set", run), OUTAGE_WAIT_S)
    finally:
        fleet.topology.set_link("alpha", up=True)
        watch.close()
        local.close()
    outage = [m["payload"] for m in watch.messages if m["topic"] == "today_feeling/alpha/outage"]
    assert outage == sent  # all of them, in order, once
    assert command["payload"] == run  # and the command queued at central was delivered
    fleet.wait_bridges("1", ["alpha"])


def test_a_command_given_on_the_device_is_not_echoed_back(fleet: RunningFleet) -> None:
    """A command from the device's own LAN (its Home Assistant, its dashboard) goes out to central
    like everything under the device's tree; central must not send it back down the bridge."""
    marker = f"marker-{tag()}"
    probe = Listener(fleet.at_device("bravo"), ["today_feeling/bravo/+/set"], f"f-probe-{tag()}")
    central = Listener(fleet.at_central("fleet"), ["today_feeling/bravo/+/set"], f"f-central-{tag()}")
    try:
        publish(fleet.at_device("bravo", "bravo"), "today_feeling/bravo/next/set", "PRESS")
        central.wait_for(is_message("today_feeling/bravo/next/set", "PRESS"), WAIT_S)
        publish(fleet.at_central("fleet"), "today_feeling/bravo/paused/set", marker)
        seen = probe.before(is_message("today_feeling/bravo/paused/set", marker), WAIT_S)
    finally:
        probe.close()
        central.close()
    assert commands(seen) == [("today_feeling/bravo/next/set", "PRESS")]  # once: not echoed


def test_without_the_bridge_flag_only_state_goes_out(fleet: RunningFleet) -> None:
    """charlie bridges as it would to a broker that refuses the flag: out_topics ["+"], so a
    command given on its LAN stays there (once) and its state still reaches central."""
    device, marker = NO_BRIDGE_FLAG, f"marker-{tag()}"
    probe = Listener(fleet.at_device(device), [f"today_feeling/{device}/+/set"], f"g-probe-{tag()}")
    central = Listener(fleet.at_central("fleet"), [f"today_feeling/{device}/#"], f"g-central-{tag()}")
    try:
        local = fleet.at_device(device, device)
        publish(local, f"today_feeling/{device}/next/set", "PRESS")
        publish(local, f"today_feeling/{device}/mood", marker)
        at_central = central.before(is_message(f"today_feeling/{device}/mood", marker), WAIT_S)
        publish(fleet.at_central("fleet"), f"today_feeling/{device}/paused/set", marker)
        seen = probe.before(is_message(f"today_feeling/{device}/paused/set", marker), WAIT_S)
    finally:
        probe.close()
        central.close()
    assert commands(at_central) == []
    assert commands(seen) == [(f"today_feeling/{device}/next/set", "PRESS")]


def test_a_central_restart_loses_nothing(fleet: RunningFleet) -> None:
    """The central broker restarts (e.g. central.yml after adding a device): what devices publish
    meanwhile waits in their bridges, and the sessions it holds survive in its persistence file."""
    run, session = tag(), f"h-session-{tag()}"
    sent = [f"{run}-{n}" for n in range(3)]
    topic = "today_feeling/bravo/restart"
    Listener(fleet.at_central("fleet"), [topic], session, session_expiry=300).close()
    fleet.central.stop()
    try:
        publish(fleet.at_device("bravo", "bravo"), topic, *sent)
    finally:
        fleet.central.start()
    resumed = Listener(fleet.at_central("fleet"), [topic], session, session_expiry=300)
    try:
        resumed.wait_for(is_message(topic, sent[-1]), OUTAGE_WAIT_S)
    finally:
        resumed.close()
    assert [m["payload"] for m in resumed.messages if m["topic"] == topic] == sent
    fleet.wait_bridges("1", list(fleet.devices))
