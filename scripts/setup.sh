#!/usr/bin/env bash
# One-shot setup on a fresh Debian 12 / Raspberry Pi OS machine (run from anywhere).
#   bash scripts/setup.sh         runtime: system packages, .venv, models, demo media
#   bash scripts/setup.sh --dev   plus test tools (chromium for the dashboard tests, TensorFlow-CPU
#                                 for the training-pipeline tests, ...)
# Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[[ "${1:-}" == "--dev" ]] && dev=1
sudo=""
if [[ "$(id -u)" -ne 0 ]]; then
  if ! command -v sudo > /dev/null; then
    echo "setup.sh installs Debian packages and needs root: run it as root (su -c 'bash scripts/setup.sh')," >&2
    echo "or install sudo and add yourself to the sudo group (su -c 'apt-get install sudo && adduser $USER sudo')." >&2
    exit 1
  fi
  sudo="sudo"
fi

packages=(python3 python3-venv python3-pip ffmpeg mpd mosquitto mosquitto-clients)
if (( dev )); then
  # mopidy: the music tests run a real Mopidy (an MPD-protocol server without stickers)
  # libatomic1: Playwright's bundled node needs it; a minimal Debian 12 lacks it (gcc brings it
  # on developer machines, which is how it went unnoticed).
  # gstreamer1.0-*: the GStreamer capture source's tests (videotestsrc, an H.264 file).
  # prometheus: the fleet-monitoring tests run promtool and a real Prometheus on loopback.
  # systemd-container: the rollout tests boot devices as systemd-nspawn containers.
  packages+=(chromium libatomic1 sox systemd debootstrap git mopidy mopidy-mpd mopidy-local
             gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav
             prometheus systemd-container)
fi
on_pi=0
# Raspberry Pi OS, not just a Pi: plain Debian on a Pi has no python3-picamera2 (the Ansible
# role asks the same question the same way).
if [[ -e /etc/rpi-issue ]]; then
  on_pi=1
  packages+=(python3-picamera2)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if (( ${#missing[@]} )); then
  echo "==> apt-get install ${missing[*]} (log: /tmp/today-feeling-apt.log)"
  # The packaged mpd/mosquitto services are not needed by the demo or the tests,
  # which start their own instances on loopback. dpkg's chatter goes to the log.
  if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive \
         apt-get install -y -qq --no-install-recommends "${missing[@]}"; } > /tmp/today-feeling-apt.log 2>&1; then
    tail -n 30 /tmp/today-feeling-apt.log >&2
    echo "apt-get failed (whole log: /tmp/today-feeling-apt.log)" >&2
    exit 1
  fi
  # Debian enables mpd.socket, which listens on port 6600 of every interface with no password:
  # anyone on the LAN could drive the speaker. Nothing here uses it; the Ansible role configures
  # the device's own MPD (loopback, or a password).
  if [[ " ${missing[*]} " == *" mpd "* && -d /run/systemd/system ]]; then
    echo "==> stopping Debian's mpd.socket/mpd.service (open to the LAN; the demo and tests run their own MPD)"
    $sudo systemctl disable --now mpd.socket mpd.service >> /tmp/today-feeling-apt.log 2>&1 || true
  fi
fi

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  if (( on_pi )); then
    # picamera2 and libcamera come from Raspberry Pi OS, not from PyPI.
    "$python" -m venv --system-site-packages .venv
  else
    "$python" -m venv .venv
  fi
fi
.venv/bin/python -m pip install -q --upgrade pip
echo "==> pip install into .venv (a few minutes the first time$( (( dev )) && echo '; TensorFlow for the training tests is large'))"
pip_args=()
if (( on_pi )); then
  # The venv sees Raspberry Pi OS's picamera2, whose compiled helpers (simplejpeg) are built
  # against Debian's numpy 1.x: numpy 2 in the venv would make importing them fail (the
  # Ansible role asks for the same).
  pip_args=("numpy<2")
fi
if (( dev )); then
  # [train]: tests/emotion_model/test_training_pipeline.py runs the training tools themselves.
  # TensorFlow-CPU wheels exist for x86-64; elsewhere those tests skip with the reason.
  extras="dev"
  [[ "$(uname -m)" == "x86_64" ]] && extras="dev,train"
  .venv/bin/python -m pip install -q "${pip_args[@]}" -e ".[$extras]"
else
  .venv/bin/python -m pip install -q "${pip_args[@]}" -e .
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/today-feeling"
echo "==> models -> $cache/models"
.venv/bin/today-feeling models fetch --dir "$cache/models"
.venv/bin/python -c "from today_feeling_dev.samples import sample_path; print('==> demo video', sample_path('WolfgangLanger_Pexels.mp4'))"
