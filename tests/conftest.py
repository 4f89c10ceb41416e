"""Fixtures shared by every test directory: models, shared data, free ports."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from today_feeling.errors import ModelError
from today_feeling.model_store.fetch import fetch_all
from today_feeling.model_store.manifest import PACKAGED_MANIFEST, load_manifest
from today_feeling.model_store.registry import user_models_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--hil", action="store_true", help="run hardware-in-the-loop tests")


@pytest.fixture(scope="session")
def models_dir() -> Path:
    """A folder with every manifest model, fetched from the pinned sources once per machine."""
    target = user_models_dir()
    try:
        fetch_all(load_manifest(PACKAGED_MANIFEST), target)
    except ModelError as err:
        pytest.skip(f"models unavailable: {err}")
    return target


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout (data we may not commit); skip where absent."""
    if not SHARED_DIR.is_dir():
        pytest.skip("../shared is absent (a fresh clone): shared datasets are not available")
    return SHARED_DIR


@pytest.fixture(scope="session")
def fer2013_npz(shared_dir: Path) -> Path:
    path = shared_dir / "datasets" / "fer2013_train_public.npz"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for mpd, mosquitto, http)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
