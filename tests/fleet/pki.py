"""A throwaway CA and a central-broker certificate for an IP address, via openssl.

tests/fixtures/certs.py issues for 127.0.0.1 only; the fleet's central broker sits at a
namespace address, which the bridges verify against the certificate's subjectAltName.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


@dataclass(frozen=True)
class ServerPki:
    ca: Path
    cert: Path
    key: Path


def _openssl(folder: Path, *args: str) -> None:
    subprocess.run([OPENSSL, *args], cwd=folder, check=True, capture_output=True, timeout=30)


def make_server_pki(folder: Path, address: str) -> ServerPki:
    """CA + a server certificate valid for ``address`` (an IPv4 address), two days."""
    if not Path(OPENSSL).exists():
        pytest.skip("openssl is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    _openssl(folder, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
             "-days", "2", "-subj", "/CN=today-feeling fleet test CA")
    (folder / "server.ext").write_text(f"subjectAltName=IP:{address}\nextendedKeyUsage=serverAuth\n")
    _openssl(folder, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-subj",
             f"/CN={address}", "-out", "server.csr")
    _openssl(folder, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-sha256", "-extfile", "server.ext", "-out", "server.crt")
    return ServerPki(folder / "ca.crt", folder / "server.crt", folder / "server.key")
