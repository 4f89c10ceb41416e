"""The device image every rollout device boots from, and the releases rolled out to them.

The image is what a device is flashed with: the Debian bookworm base of tests/deploy/rootfs.py
converged by the real ansible/site.yml over the chroot connection with
``today_feeling_service_manage: false`` (as an image build does), with release 1 installed and
a replay video in place. Converging takes minutes (apt, pip), so the result is kept as a tar in
rootfs.CACHE_DIR under a key made of everything that goes into it; each run unpacks it once
and every device is an overlay on that one tree.

A release is the checkout's wheel with its version rewritten (``0.1.0+rollout.N``): the same
code, a version the test can read back from each device's venv.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from tests.deploy import rootfs
from tests.deploy.paths import ANSIBLE_DIR, REPO_ROOT, UNIT_FILE, VENV_BIN

IMAGE_HOST = "image"
#: Where each device's daemon reads its frames (outside /home and /tmp, which the unit hides).
REPLAY_VIDEO = "/usr/local/share/today-feeling/replay.mp4"
#: Frames per second the replay is analysed at: three daemons share two CI cores.
CAPTURE_FPS = 5.0
PLAYBOOK_TIMEOUT_S = 1200
#: Never refresh apt lists in a rollout: the device namespaces have no route to a mirror, and
#: the image already has every package (update_cache would fail, not skip).
APT_NEVER_REFRESH_S = 10 * 365 * 24 * 3600


def release_wheel(app_wheel: Path, number: int, out: Path) -> Path:
    """``app_wheel`` re-labelled as version ``<version>+rollout.<number>``: METADATA, the
    .dist-info folder, RECORD and the file name change, nothing else."""
    name, version = app_wheel.name.split("-")[:2]
    new_version = f"{version}+rollout.{number}"
    old_info, new_info = f"{name}-{version}.dist-info/", f"{name}-{new_version}.dist-info/"
    target = out / app_wheel.name.replace(f"-{version}-", f"-{new_version}-")
    out.mkdir(parents=True, exist_ok=True)
    records: list[str] = []
    with zipfile.ZipFile(app_wheel) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            path = item.filename.replace(old_info, new_info, 1)
            if path == f"{new_info}RECORD":
                continue
            data = src.read(item)
            if path == f"{new_info}METADATA":
                data = data.replace(f"\nVersion: {version}\n".encode(),
                                    f"\nVersion: {new_version}\n".encode(), 1)
            dst.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append(f"{path},sha256={digest},{len(data)}")
        records.append(f"{new_info}RECORD,,")
        dst.writestr(f"{new_info}RECORD", "\n".join(records) + "\n")
    return target


def release_version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def build_app_wheel(out: Path) -> Path:
    """The app wheel built from this checkout, as the controller builds it."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
                    str(REPO_ROOT)], check=True, capture_output=True, timeout=300)
    wheels = sorted(out.glob("today_feeling-*.whl"))
    assert wheels, "pip wheel produced no today_feeling wheel"
    return wheels[-1]


def ansible_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ, ANSIBLE_CONFIG=str(ANSIBLE_DIR / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-local"),
               ANSIBLE_HOME=str(tmp / "ansible-home"),
               PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("VIRTUAL_ENV", None)  # nsenter passes the controller's environment to the device
    return env


def common_vars(wheel: Path, wheelhouse: Path, models: Path) -> dict[str, Any]:
    """Variables every host shares, the image and the devices."""
    return {
        "ansible_python_interpreter": "/usr/bin/python3",
        "ansible_become": False,  # the connection is already root; the image has no sudo
        "today_feeling_wheel": str(wheel),
        "today_feeling_wheelhouse": str(wheelhouse),
        "today_feeling_models_controller_dir": str(models),
        "today_feeling_controller_cli": str(VENV_BIN / "today-feeling"),
        "today_feeling_capture_source": REPLAY_VIDEO,
        "today_feeling_capture_fps": CAPTURE_FPS,
        "today_feeling_inference_threads": 1,
    }


def _image_inventory(root: Path, wheel: Path, wheelhouse: Path, models: Path) -> dict[str, Any]:
    host = {**common_vars(wheel, wheelhouse, models), "ansible_host": str(root),
            "ansible_connection": "community.general.chroot", "today_feeling_service_manage": False,
            "today_feeling_device_id": IMAGE_HOST, "today_feeling_mqtt_password": "image-password"}
    return {"all": {"children": {"today_feeling": {"hosts": {IMAGE_HOST: host}}}}}


def _image_key(video: Path) -> str:
    """Everything that ends up in the image: base packages, role, unit, app source, video."""
    digest = hashlib.sha256(repr(rootfs.BASE_PACKAGES).encode())
    sources = [*sorted((ANSIBLE_DIR / "roles").rglob("*")), ANSIBLE_DIR / "site.yml", UNIT_FILE,
               REPO_ROOT / "pyproject.toml", *sorted((REPO_ROOT / "edge" / "today_feeling").rglob("*.py"))]
    for path in sources:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(REPO_ROOT)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(hashlib.sha256(video.read_bytes()).digest())
    digest.update(json.dumps([CAPTURE_FPS, REPLAY_VIDEO]).encode())
    return digest.hexdigest()[:16]


def image_tarball(tmp: Path, app_wheel: Path, models: Path, video: Path) -> Path:
    """The converged image as a tar (release 1 installed), built on first use."""
    tarball = rootfs.CACHE_DIR / f"rollout-image-{_image_key(video)}.tar"
    if tarball.is_file():
        return tarball
    root = rootfs.fresh_rootfs(tmp / "image-build")
    try:
        installed = root / REPLAY_VIDEO.lstrip("/")
        installed.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(video, installed)
        installed.chmod(0o644)
        inventory = tmp / "image-inventory.json"
        wheel = release_wheel(app_wheel, 1, tmp / "releases")
        inventory.write_text(json.dumps(_image_inventory(root, wheel, rootfs.wheelhouse(app_wheel), models)))
        result = subprocess.run(
            [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(ANSIBLE_DIR / "site.yml")],
            cwd=ANSIBLE_DIR, env=ansible_env(tmp), check=False, capture_output=True, text=True,
            timeout=PLAYBOOK_TIMEOUT_S)
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
        rootfs.save_debs(root)
        for deb in (root / "var/cache/apt/archives").glob("*.deb"):  # kept in APT_ARCHIVES
            deb.unlink()
        partial = tarball.with_suffix(f".{os.getpid()}.partial")
        subprocess.run(["tar", "-C", str(root), "-cf", str(partial), "."], check=True, timeout=600)
        partial.replace(tarball)
        for stale in rootfs.CACHE_DIR.glob("rollout-image-*.tar"):  # images of older checkouts
            if stale != tarball:
                stale.unlink(missing_ok=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return tarball
