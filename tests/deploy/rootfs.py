"""Debian bookworm root file systems for the Ansible converge and the fresh-machine tests, cached
outside the repo.

debootstrap takes about a minute and downloads ~60 MB, so the finished tree is kept as a tar
in the cache folder (one per set of extra packages) and every test run unpacks a fresh copy (a
converge, or a new user's first hour, always starts from a clean system). Downloaded .deb files
are carried over between runs for the same reason.
"""

from __future__ import annotations

import logging
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

CACHE_DIR = Path(os.environ.get("TODAY_FEELING_TEST_CACHE", "/var/cache/today-feeling-test"))
SUITE = "bookworm"
#: .deb files downloaded by earlier runs: they save downloads, apt still installs every package.
APT_ARCHIVES = CACHE_DIR / "apt-archives"
#: python3 for Ansible's modules; systemd so `systemctl enable` and `systemd-analyze verify
#: --root` behave as on a device image.
BASE_PACKAGES = ("python3", "systemd", "ca-certificates")
#: Stops maintainer scripts from starting mpd/mosquitto on the host while packages install.
POLICY_RC_D = "#!/bin/sh\n# test rootfs: never start services inside the chroot\nexit 101\n"
HOSTS = "127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n"
DEBOOTSTRAP_TIMEOUT_S = 900
#: bookworm ships glibc 2.36.
GLIBC_MINOR = 36


def debian_mirror() -> str:
    """The Debian mirror apt uses on this machine (deb822 or one-line sources)."""
    return _mirror("debian", os.environ.get("TODAY_FEELING_DEBIAN_MIRROR"))


def security_mirror() -> str:
    """The Debian security archive apt uses on this machine: an installed Debian 12 has it."""
    return _mirror("debian-security", os.environ.get("TODAY_FEELING_DEBIAN_SECURITY_MIRROR"))


def _mirror(archive: str, override: str | None) -> str:
    if override:
        return override
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for path in sources:
        if not path.is_file() or not re.search(r"\.(list|sources)$", path.name):
            continue
        for uri in _uris(path.read_text(encoding="utf-8", errors="replace")):
            if re.search(rf"/{archive}/?$", uri):
                return uri.rstrip("/")
    return f"http://deb.debian.org/{archive}"


def _uris(text: str) -> list[str]:
    """Repository URIs of non-comment lines in either sources format."""
    uris: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("URIs:"):
            uris.extend(line.split()[1:])
        elif line.startswith("deb "):
            parts = [p for p in line.split()[1:] if not p.startswith("[")]
            if parts:
                uris.append(parts[0])
    return uris


def base_tarball(packages: tuple[str, ...] = BASE_PACKAGES) -> Path:
    """The cached debootstrap result (minbase plus packages) as a tar, built on first use."""
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    tarball = CACHE_DIR / f"{SUITE}-{arch}-{'-'.join(packages) or 'minbase'}.tar"
    if tarball.is_file():
        return tarball
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    work = CACHE_DIR / f"build-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        logger.info("debootstrap %s from %s into %s", SUITE, debian_mirror(), work)
        include = [f"--include={','.join(packages)}"] if packages else []
        subprocess.run(
            ["debootstrap", "--variant=minbase", *include, SUITE, str(work), debian_mirror()],
            check=True, capture_output=True, timeout=DEBOOTSTRAP_TIMEOUT_S,
        )
        partial = tarball.with_suffix(".partial")
        subprocess.run(["tar", "-C", str(work), "-cf", str(partial), "."], check=True, timeout=300)
        partial.rename(tarball)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tarball


def fresh_rootfs(target: Path, packages: tuple[str, ...] = BASE_PACKAGES) -> Path:
    """Unpack the base (minbase plus packages) into target, ready for a chroot, with the .debs
    earlier runs downloaded."""
    target.mkdir(parents=True)
    subprocess.run(["tar", "-C", str(target), "-xf", str(base_tarball(packages))], check=True, timeout=300)
    hosts = target / "etc/hosts"
    if not hosts.exists():  # debootstrap leaves this to the installer; MPD resolves "localhost"
        hosts.write_text(HOSTS, encoding="utf-8")
    policy = target / "usr/sbin/policy-rc.d"
    policy.write_text(POLICY_RC_D, encoding="utf-8")
    policy.chmod(0o755)
    _copy_debs(APT_ARCHIVES, target / "var/cache/apt/archives")
    return target


def save_debs(root: Path) -> None:
    """Keep the .deb files a run downloaded for the next one."""
    _copy_debs(root / "var/cache/apt/archives", APT_ARCHIVES)


def _copy_debs(src: Path, dest: Path) -> None:
    """Copy the .debs dest lacks, each under a temporary name first: two test runs may save at
    once, and apt must never find half a file."""
    if not src.is_dir():
        return
    dest.mkdir(parents=True, exist_ok=True)
    for deb in src.glob("*.deb"):
        if not (dest / deb.name).exists():
            part = dest / f".{deb.name}.{os.getpid()}.part"
            shutil.copy2(deb, part)
            part.replace(dest / deb.name)


def wheelhouse(app_wheel: Path, python_version: str = "3.11") -> Path:
    """Wheels of the app's dependencies for the rootfs's CPython and platform, downloaded once."""
    target = CACHE_DIR / f"wheelhouse-cp{python_version.replace('.', '')}-{platform.machine()}"
    target.mkdir(parents=True, exist_ok=True)
    abi = f"cp{python_version.replace('.', '')}"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:",
         "--python-version", python_version, "--implementation", "cp", "--abi", abi,
         "--abi", "abi3", "--abi", "none", *_platform_args(GLIBC_MINOR),
         "--dest", str(target), str(app_wheel)],
        check=True, capture_output=True, timeout=600,
    )
    for app in target.glob("today_feeling-*.whl"):
        app.unlink()
    return target


def _platform_args(glibc_minor: int) -> list[str]:
    """--platform flags for every manylinux tag bookworm's glibc runs (pip does not expand them)."""
    arch = platform.machine()
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(17, glibc_minor + 1)]
    return [arg for tag in [*tags, f"manylinux2014_{arch}"] for arg in ("--platform", tag)]
