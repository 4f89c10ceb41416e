"""mqtts:// with a private CA, and a broker that requires a client certificate."""

from __future__ import annotations

import logging
import time

import pytest

from tests.fixtures.broker import BrokerFactory
from tests.fixtures.certs import Certs, make_certs
from tests.fixtures.mqtt_probe import Probe
from tests.mqtt.conftest import BASE, DeviceFactory

# A hang is a failure, never a stuck run (every wait inside is bounded too).
pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


def test_mqtts_with_private_ca(make_broker: BrokerFactory, make_device: DeviceFactory,
                               certs: Certs) -> None:
    broker = make_broker(tls=certs)
    device = make_device(broker.tls_url, ca_file=str(certs.ca))
    assert device.service.connected.wait(10)
    probe = Probe(broker.port, (f"{BASE}/availability",))  # plain listener, same broker
    try:
        probe.wait_text(f"{BASE}/availability", "online")
    finally:
        probe.close()


def test_mqtts_with_client_certificate(make_broker: BrokerFactory, make_device: DeviceFactory,
                                       certs: Certs) -> None:
    broker = make_broker(tls=certs, require_client_cert=True)
    device = make_device(broker.tls_url, ca_file=str(certs.ca),
                         cert_file=str(certs.client_cert), key_file=str(certs.client_key))
    assert device.service.connected.wait(10)


def test_untrusted_broker_certificate_is_refused(
        make_broker: BrokerFactory, make_device: DeviceFactory, certs: Certs,
        tmp_path_factory: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="today_feeling.mqtt")
    other_ca = make_certs(tmp_path_factory.mktemp("other")).ca
    broker = make_broker(tls=certs)
    device = make_device(broker.tls_url, ca_file=str(other_ca))
    deadline = time.monotonic() + 5
    while "cannot reach" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "cannot reach" in caplog.text
    assert not device.service.connected.is_set()
