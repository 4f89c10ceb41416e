"""The MQTT adapter: publishes bus events and control state, applies commands.

Threads: paho's network loop (``loop_start``) owns the socket and reconnects with
backoff; one worker thread publishes from the :class:`Outbox` and applies commands,
so neither the camera pipeline nor paho's loop ever waits on the other.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from today_feeling.config.mqtt import MqttSettings
from today_feeling.domain.controls import Controls, ControlState
from today_feeling.events import (
    AnalysisEvent,
    EnrolmentProgress,
    EventBus,
    LibraryScan,
    ProfilesChanged,
    ServiceStatus,
    StatsEvent,
)
from today_feeling.mqtt import connection, payloads
from today_feeling.mqtt.commands import CommandError, apply_command, parse_command, profile_request
from today_feeling.mqtt.connection import BrokerAddress, configure_client, connect_properties
from today_feeling.mqtt.discovery import DiscoveryMessage, with_profile_options
from today_feeling.mqtt.outbox import Outbox, Outgoing
from today_feeling.mqtt.topics import STATE_FEATURES, Topics

logger = logging.getLogger(__name__)

STOP_TIMEOUT_S = 2.0
#: A flapping camera or MPD must not flood the broker with service updates.
SERVICES_INTERVAL_S = 1.0
#: A library scan reports after every file; the broker hears at most this often.
LIBRARY_INTERVAL_S = 2.0
#: Home Assistant's "online" births re-send discovery at most this often.
DISCOVERY_INTERVAL_S = 5.0


class MqttService:
    """Start/stop contract of the daemon's services; see docs/mqtt.md for the topics."""

    def __init__(
        self, settings: MqttSettings, address: BrokerAddress, topics: Topics, *,
        client_id: str, bus: EventBus, controls: Controls,
        discovery: DiscoveryMessage | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._s, self._address, self._topics = settings, address, topics
        self._bus, self._controls, self._discovery = bus, controls, discovery
        self._now = wall_clock
        self.client_id = client_id
        self._outbox = Outbox()
        self._retained: dict[str, Outgoing] = {}
        self._services: dict[str, payloads.Payload] = {}
        self._retained_lock = threading.Lock()
        self._stopping = threading.Event()
        self._worker: threading.Thread | None = None
        self.connected = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                                  protocol=mqtt.MQTTv5)
        configure_client(self.client, address, settings)
        self.client.will_set(topics.availability, "offline", qos=1, retain=True)
        self.client.on_connect = self._on_connect
        self.client.on_connect_fail = self._on_connect_fail
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        """Subscribe to events and connect in the background; never blocks on the broker."""
        self._bus.subscribe(AnalysisEvent, self._on_analysis)
        for kind, name, build in payloads.RETAINED_EVENTS:  # mood, track, next
            self._bus.subscribe(kind, self._retain_as(self._topics.topic(name), build))
        self._bus.subscribe(StatsEvent, self._on_stats)
        self._bus.subscribe(LibraryScan, self._on_library)
        self._bus.subscribe(ServiceStatus, self._on_service_status)
        self._bus.subscribe(ProfilesChanged, self._on_profiles)
        self._bus.subscribe(EnrolmentProgress, self._on_enrolment)
        self._controls.subscribe(self._on_controls)
        self._remember(self._topics.topic("mood"), payloads.no_mood_payload(self._now()))
        self._remember(self._topics.topic("next"), payloads.no_next_payload(self._now()))
        for feature in STATE_FEATURES:
            self._publish_state(feature, self._controls.state)
        self._worker = threading.Thread(target=self._work, name="mqtt-out", daemon=True)
        self._worker.start()
        logger.info("MQTT connecting to %s as client_id=%s topics=%s/#", self._address.display,
                    self.client_id, self._topics.base)
        self.client.connect_async(self._address.host, self._address.port, self._s.keepalive_s,
                                  clean_start=True, properties=connect_properties())
        self.client.loop_start()

    def stop(self) -> None:
        """Publish ``stopped`` (so the broker does not send the will) and disconnect."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._outbox.close()
        if self._worker is not None:
            self._worker.join(STOP_TIMEOUT_S)
        if self.client.is_connected():
            info = self.client.publish(self._topics.availability, "stopped", qos=1, retain=True)
            try:
                info.wait_for_publish(STOP_TIMEOUT_S)
            except (RuntimeError, ValueError):
                logger.warning("MQTT could not publish 'stopped' before disconnecting")
        self.client.disconnect()
        # paho 2.x: disconnect() ends the network thread, which clears client._thread between
        # loop_stop's own None check and its join (seen stopping 800 clients at once). The
        # thread has finished by then, which is all loop_stop waits for.
        with contextlib.suppress(AttributeError):
            self.client.loop_stop()
        logger.info("MQTT stopped")

    # -- paho callbacks (network thread: only hand off) --------------------------------------
    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        if rc.is_failure:
            logger.error(
                "MQTT broker %s refused the connection: %s; check mqtt.username and the password "
                "(mqtt.password_file or credential mqtt-password); retrying with backoff up to %ss",
                self._address.display, rc, self._s.reconnect_max_s)
            return
        logger.info("MQTT connected to %s", self._address.display)
        subs = [(self._topics.command_filter, 1)]
        if self._discovery is not None:
            subs.append((self._topics.ha_status, 1))
        client.subscribe(subs)
        # After SUBSCRIBE on the same connection: whoever sees "online" can send commands.
        client.publish(self._topics.availability, "online", qos=1, retain=True)
        self._outbox.put(self._republish)
        self.connected.set()
        self._bus.publish(ServiceStatus("mqtt", True, self._address.display))

    def _on_connect_fail(self, _client: mqtt.Client, _u: Any) -> None:
        hint = " (TLS: check mqtt.ca_file and the broker's certificate)" if self._address.tls else ""
        logger.warning("MQTT cannot reach %s%s; retrying with backoff up to %ss",
                       self._address.display, hint, self._s.reconnect_max_s)

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        was_connected = self.connected.is_set()
        self.connected.clear()
        if not self._stopping.is_set() and was_connected:
            logger.warning("MQTT connection to %s lost (%s); reconnecting",
                           self._address.display, rc)
        if was_connected:
            self._bus.publish(ServiceStatus("mqtt", False, str(rc)))

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        topic, payload, retained = msg.topic, bytes(msg.payload), bool(msg.retain)
        self._outbox.put_received(lambda: self._handle_message(topic, payload, retained))

    # -- worker thread ---------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            item = self._outbox.get(timeout=0.5)
            if item is None:
                if self._stopping.is_set():
                    return
                continue
            try:
                if isinstance(item, Outgoing):
                    self._send(item)
                else:
                    item()
            except Exception:
                logger.exception("MQTT worker failed on %r", item)

    def _send(self, message: Outgoing) -> None:
        if self.client.is_connected():  # retained ones are re-sent on (re)connect
            self.client.publish(message.topic, message.payload, message.qos, message.retain)

    def _republish(self) -> None:
        """After every (re)connect: discovery and all retained state (a restarted broker
        without persistence has lost them)."""
        if self._discovery is not None:
            self._send(Outgoing(self._discovery.topic, payloads.encode(self._discovery.payload),
                                retain=True, qos=1))
        with self._retained_lock:
            retained = list(self._retained.values())
        for message in retained:
            self._send(message)

    def _handle_message(self, topic: str, payload: bytes, retained: bool) -> None:
        if topic == self._topics.ha_status:
            if payload.strip() == b"online" and self._discovery is not None:
                # Its state topics are retained on the broker; only discovery is sent again, and
                # at most once per interval however often "online" arrives (a flood costs nothing).
                message = Outgoing(self._discovery.topic, payloads.encode(self._discovery.payload),
                                   retain=True, qos=1)
                self._outbox.put_throttled("discovery", message, DISCOVERY_INTERVAL_S)
            return
        feature = self._topics.command_feature(topic)
        try:
            if retained:
                raise CommandError("retained commands are ignored (they would replay on restart)")
            command = parse_command(feature, payload, self._s.max_command_bytes)
        except CommandError as err:
            logger.warning("MQTT command ignored on %s (%d bytes %r): %s", topic[:200],
                           len(payload), payload[:40], err)
            return
        logger.info("MQTT command %s=%s", command.feature, command.value)
        request = profile_request(command)
        if request is not None:
            self._bus.publish(request)  # the profiles runtime acts and announces the result
            return
        before = self._controls.state
        apply_command(command, self._controls)
        after = self._controls.state
        if command.feature in STATE_FEATURES and after == before:
            self._publish_state(command.feature, after)  # a change was published by _on_controls

    # -- events (publisher threads: only hand off) --------------------------------------------
    def _remember(self, topic: str, payload: payloads.Payload) -> None:
        message = Outgoing(topic, payloads.encode(payload), retain=True, qos=1)
        if len(message.payload) > connection.MAX_PACKET_BYTES - 1024:  # the broker would drop us
            logger.error("MQTT %s not sent: %d bytes, over the packet limit", topic, len(message.payload))
            return
        with self._retained_lock:
            self._retained[topic] = message
        self._outbox.put(message)

    def _publish_state(self, feature: str, state: ControlState) -> None:
        value = payloads.state_values(state)[feature]
        self._remember(self._topics.state(feature), payloads.state_payload(value, self._now()))

    def _on_controls(self, old: ControlState, new: ControlState) -> None:
        before, after = payloads.state_values(old), payloads.state_values(new)
        for feature in STATE_FEATURES:
            if before[feature] != after[feature]:
                self._publish_state(feature, new)
        if new.privacy and not old.privacy:
            self._say_privacy()

    def _say_privacy(self) -> None:
        """``emotion`` = privacy at once, then with every stats tick while the camera is closed."""
        payload = payloads.encode(payloads.privacy_emotion_payload(self._now()))
        self._outbox.put_throttled("emotion", Outgoing(self._topics.topic("emotion"), payload), 0.0)

    def _on_analysis(self, event: AnalysisEvent) -> None:
        message = Outgoing(self._topics.topic("emotion"),
                           payloads.encode(payloads.emotion_payload(event)))
        self._outbox.put_throttled("emotion", message, self._s.emotion_interval_s)

    def _retain_as(self, topic: str, build: Callable[[Any], payloads.Payload]) -> Callable[[Any], None]:
        """A bus handler that keeps ``build(event)`` as the retained ``topic``."""
        return lambda event: self._remember(topic, build(event))

    def _on_stats(self, event: StatsEvent) -> None:
        if self._controls.state.privacy:
            self._say_privacy()
        message = Outgoing(self._topics.topic("stats"),
                           payloads.encode(payloads.stats_payload(event)))
        self._outbox.put_throttled("stats", message, self._s.stats_interval_s)

    def _on_library(self, event: LibraryScan) -> None:
        """Scan progress: retained (a new client sees where it stands), one per interval at most."""
        message = Outgoing(self._topics.topic("library"), payloads.encode(payloads.library_payload(event)),
                           retain=True, qos=1)
        with self._retained_lock:
            self._retained[message.topic] = message
        self._outbox.put_throttled("library", message, LIBRARY_INTERVAL_S)

    def _on_profiles(self, event: ProfilesChanged) -> None:
        """Names and counts for UIs (never embeddings); Home Assistant's select learns the names."""
        self._remember(self._topics.topic("profiles"), payloads.profiles_payload(event))
        if self._discovery is None:
            return
        updated = with_profile_options(self._discovery, [str(p["name"]) for p in event.profiles])
        if updated != self._discovery:
            self._discovery = updated
            self._outbox.put(Outgoing(updated.topic, payloads.encode(updated.payload), retain=True, qos=1))

    def _on_enrolment(self, event: EnrolmentProgress) -> None:
        self._remember(self._topics.topic("enrol"), {**event.state, "ts": event.wall_time})

    def _on_service_status(self, event: ServiceStatus) -> None:
        if event.name == "mqtt":
            return  # our own connection state is what availability already says
        with self._retained_lock:
            previous = self._services.get(event.name)
            if previous is not None and (previous["connected"], previous["detail"]) == (
                    event.connected, event.detail):
                return  # repeated status: nothing new to tell
            self._services[event.name] = payloads.service_entry(event, self._now())
            snapshot = payloads.services_payload(self._services, self._now())
            message = Outgoing(self._topics.topic("services"), payloads.encode(snapshot),
                               retain=True, qos=1)
            self._retained[message.topic] = message
        self._outbox.put_throttled("services", message, SERVICES_INTERVAL_S)
