"""The dashboard server against a hostile LAN: data only for a login the broker accepts, bounded
idle connections, bad parameters answered 400. Real sockets, a real mosquitto (the documented
config: no anonymous clients)."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import resource
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from paho.mqtt import publish

from tests.fixtures.broker import Broker, BrokerFactory
from tests.support.clock import ManualClock
from today_feeling.checks import Check
from today_feeling.config.mqtt import MqttSettings
from today_feeling.config.settings import DeviceSettings, Settings
from today_feeling.config.web import HistorySettings, HttpSettings
from today_feeling.domain.controls import Controls
from today_feeling.events import EventBus
from today_feeling.mqtt.connection import BrokerAddress
from today_feeling.web import HttpServer, build_service
from today_feeling.web.address_limit import PER_ADDRESS_LIMIT, address_key
from today_feeling.web.login import BrokerLogins
from today_feeling.web.server import LOOPBACK

pytestmark = pytest.mark.timeout(120)

USERS = {"today-feeling": "dev-pw", "reader": "read-pw", "controller": "ctl-pw"}
IDLE_CONNECTIONS = 1100


@contextlib.contextmanager
def dashboard(broker: Broker, tmp_path: Path) -> Iterator[HttpServer]:
    """The dashboard of device ``desk`` on ``broker``, after the device published its retained
    mood there (as its daemon does from its first connection)."""
    publish.single("today_feeling/desk/mood", '{"mood": null}', retain=True, hostname=broker.host,
                   port=broker.port, auth={"username": "today-feeling", "password": USERS["today-feeling"]})
    settings = Settings(device=DeviceSettings(id="desk"), http=HttpSettings(bind="127.0.0.1:0"),
                        history=HistorySettings(path=str(tmp_path / "h.sqlite3")),
                        mqtt=MqttSettings(url=broker.url))
    server = build_service(settings, EventBus(), Controls())
    assert server is not None
    server.start()
    try:
        assert server.wait_bound(10)
        yield server
    finally:
        server.stop()


@pytest.fixture
def locked(make_broker: BrokerFactory, tmp_path: Path) -> Iterator[HttpServer]:
    with dashboard(make_broker(documented=True, users=USERS), tmp_path) as server:
        yield server


def basic(login: tuple[str, str] | None) -> dict[str, str]:
    if login is None:
        return {}
    return {"Authorization": "Basic " + base64.b64encode(":".join(login).encode()).decode()}


def get(server: HttpServer, path: str, login: tuple[str, str] | None = None,
        timeout: float = 10.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request("GET", path, headers=basic(login))
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def body(server: HttpServer, path: str, login: tuple[str, str] | None = None) -> dict[str, object]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers=basic(login))
        return dict(json.loads(conn.getresponse().read()))
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/api/history", "/api/summary", "/metrics"])
def test_household_data_needs_a_login_the_broker_accepts(locked: HttpServer, path: str) -> None:
    assert get(locked, path) == 401  # anonymous: the broker admits nobody without a login
    assert get(locked, path, ("reader", "wrong")) == 401
    assert get(locked, path, ("nobody", "read-pw")) == 401
    assert get(locked, path, ("reader", USERS["reader"])) == 200
    assert get(locked, path, ("controller", USERS["controller"])) == 200


@pytest.fixture
def with_stranger(make_broker: BrokerFactory, tmp_path: Path) -> Iterator[HttpServer]:
    """The documented broker with one more account that its ACL grants nothing (another
    device's, a bridge's, a forgotten one): it logs in, but may read none of this device."""
    with dashboard(make_broker(documented=True, users={**USERS, "stranger": "str-pw"}), tmp_path) as server:
        yield server


@pytest.mark.parametrize("path", ["/api/history", "/api/summary?days=31", "/metrics"])
def test_a_login_that_may_not_read_the_device_gets_none_of_its_data(with_stranger: HttpServer,
                                                                    path: str) -> None:
    assert get(with_stranger, path, ("stranger", "str-pw")) == 401
    assert get(with_stranger, path, ("reader", USERS["reader"])) == 200


def test_anonymous_reading_of_some_topics_does_not_open_the_dashboard(
        make_broker: BrokerFactory, tmp_path: Path) -> None:
    """What the role renders for ``today_feeling_mosquitto_anonymous_read:
    ["today_feeling/+/availability"]``: anonymous clients get in, but may read only that."""
    acl = ("topic read today_feeling/+/availability\n\nuser reader\ntopic read today_feeling/#\n\n"
           "user today-feeling\ntopic readwrite today_feeling/#\n")
    broker = make_broker(users={"reader": "r", "today-feeling": USERS["today-feeling"]}, acl=acl,
                         allow_anonymous=True)
    with dashboard(broker, tmp_path) as server:
        assert get(server, "/api/summary?days=31") == 401
        assert get(server, "/metrics") == 401
        assert get(server, "/metrics", ("reader", "r")) == 200


def test_the_page_and_health_need_no_login_but_health_tells_strangers_little(locked: HttpServer) -> None:
    assert get(locked, "/") == 200
    assert get(locked, "/api/config") == 200
    assert get(locked, "/healthz") in (200, 503)
    assert set(body(locked, "/healthz")) == {"status", "version"}  # no mood, fps or services
    assert {"mood", "fps", "services"} <= set(body(locked, "/healthz", ("reader", USERS["reader"])))


def test_bad_parameters_are_answered_400(locked: HttpServer) -> None:
    reader = ("reader", USERS["reader"])
    for query in ("days=%C2%B2", "days=0", "days=x", "days=99999999999999999999"):
        assert get(locked, f"/api/summary?{query}", reader) == 400, query


def test_a_thousand_idle_connections_do_not_take_the_dashboard_down(locked: HttpServer) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * IDLE_CONNECTIONS + 200  # both ends live in this process
    if hard != resource.RLIM_INFINITY and hard < need:
        pytest.skip(f"RLIMIT_NOFILE hard limit {hard} < {need}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))
    idle: list[socket.socket] = []
    try:
        for _ in range(IDLE_CONNECTIONS):
            idle.append(socket.create_connection(("127.0.0.1", locked.port), timeout=5))
        # The kernel queued them; the first request waits while the server accepts them all
        # (on a busy 2-core machine that alone can take over a second, which is not the point).
        assert get(locked, "/healthz", timeout=30.0) in (200, 503)
        # A bound, not a benchmark: with all 1,100 held idle, the server still answers at once
        # (before, ~1,000 idle sockets made it unreachable).
        assert get(locked, "/healthz", timeout=1.0) in (200, 503)
        assert get(locked, "/", timeout=1.0) == 200
    finally:
        for sock in idle:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def raw_request(server: HttpServer, head: bytes, source: str = "127.0.0.1") -> bytes:
    """Send ``head`` (request line and headers, no body) and return the status line (b"" when
    the server closed the connection instead of answering)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10, source_address=(source, 0)) as sock:
        try:
            sock.sendall(head)
            return sock.makefile("rb").readline()
        except (ConnectionResetError, BrokenPipeError):
            return b""


def test_a_request_too_big_to_hold_is_refused_before_it_is_read(locked: HttpServer) -> None:
    # A 300 MB body is not waited for (waitress would have read it to a temp file, then 405).
    status = raw_request(locked, b"POST /api/history HTTP/1.1\r\nHost: x\r\n"
                                 b"Content-Length: 314572800\r\n\r\n")
    assert status.split()[1] == b"413"
    # 64 KiB of headers are not held (waitress's default would keep 256 KiB per connection).
    status = raw_request(locked, b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 65536 + b"\r\n\r\n")
    assert status.split()[1] == b"431"
    assert get(locked, "/", timeout=5.0) == 200  # an ordinary request is untouched


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_one_lan_host_cannot_hold_every_connection(locked: HttpServer) -> None:
    """Slow senders from one address (here 127.0.0.2: loopback proper is a local proxy's and
    exempt) keep at most PER_ADDRESS_LIMIT connections; other hosts are still served."""
    held = [socket.create_connection(("127.0.0.1", locked.port), timeout=5, source_address=("127.0.0.2", 0))
            for _ in range(PER_ADDRESS_LIMIT + 8)]
    closed: list[socket.socket] = []
    try:
        for sock in held:
            try:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # a request that never ends
            except (ConnectionResetError, BrokenPipeError):
                closed.append(sock)  # closed on accept before this could be sent
        # Answered after every queued connection was accepted (the backlog is first in, first out).
        assert raw_request(locked, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "127.0.0.3").split()[1] in (
            b"200", b"503")
        deadline = time.monotonic() + 5
        while len(closed) < 8 and time.monotonic() < deadline:
            readable, _, _ = select.select([s for s in held if s not in closed], [], [], 0.5)
            closed += [s for s in readable if closed_by_server(s)]
        assert len(closed) == 8  # exactly the ones past the limit
        assert raw_request(locked, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "127.0.0.2") == b""  # still full
        for sock in held[:4]:
            sock.close()
        deadline = time.monotonic() + 5
        while (status := raw_request(locked, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "127.0.0.2")) == b"":
            assert time.monotonic() < deadline, "the address's slots never came back"
            time.sleep(0.1)
        assert status.startswith(b"HTTP/1.1 200")
    finally:
        for sock in held:
            sock.close()


@pytest.mark.parametrize(("host", "key"), [
    ("10.0.0.5", "10.0.0.5"), ("::ffff:10.0.0.5", "10.0.0.5"),  # dual-stack sockets map IPv4
    ("2001:db8::1", "2001:db8::/64"), ("2001:db8::2:3", "2001:db8::/64"),  # one host, many addresses
    ("fe80::1%eth0", "fe80::/64"), ("2001:db8:0:1::1", "2001:db8:0:1::/64"),
])
def test_the_per_address_cap_counts_an_ipv6_host_by_its_64(host: str, key: str) -> None:
    assert address_key(host) == key


def test_only_the_devices_own_loopback_is_exempt() -> None:
    assert {"127.0.0.1", "::1", "::ffff:127.0.0.1"} <= LOOPBACK  # a local proxy, as sockets report it
    assert "127.0.0.2" not in LOOPBACK and "10.0.0.5" not in LOOPBACK  # the test's "LAN host" is capped


def test_logins_are_remembered_refusals_too_and_guessing_is_rate_limited() -> None:
    calls: list[str | None] = []

    def login(address: BrokerAddress, _s: MqttSettings, _t: float, topic: str) -> Check:
        assert topic == "today_feeling/desk/mood"
        calls.append(address.username)
        ok = address.password == "right"
        return Check("mqtt", ok, "" if ok else "mqtt://127.0.0.1:1883: refused: Not authorized")

    logins = BrokerLogins(BrokerAddress("127.0.0.1", 1883, False, None), MqttSettings(),
                          "today_feeling/desk/mood", login=login, clock=ManualClock())
    right = "Basic " + base64.b64encode(b"reader:right").decode()
    assert logins.allowed(right, "10.0.0.2") and logins.allowed(right, "10.0.0.2")
    assert calls == ["reader"]  # the broker was asked once
    wrong = "Basic " + base64.b64encode(b"reader:wrong").decode()
    assert not logins.allowed(wrong, "10.0.0.9") and not logins.allowed(wrong, "10.0.0.9")
    assert calls == ["reader", "reader"]  # a refusal is remembered too
    for i in range(20):  # a guesser with a new password each time
        logins.allowed("Basic " + base64.b64encode(f"reader:guess{i}".encode()).decode(), "10.0.0.9")
    assert len(calls) == 2 + 9  # ten failures a minute, then the broker is not asked for it at all
    assert logins.allowed(right, "10.0.0.2")  # a login already known still works during the attack
    phone = "Basic " + base64.b64encode(b"controller:right").decode()
    assert logins.allowed(phone, "10.0.0.3")  # a new login from another address is not locked out
    assert not logins.allowed("Bearer x") and not logins.allowed("Basic %%%")
