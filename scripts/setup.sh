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
[[ "$(id -u)" -ne 0 ]] && sudo="sudo"

packages=(python3 python3-venv python3-pip ffmpeg mpd mosquitto mosquitto-clients)
if (( dev )); then
  # mopidy: the music tests run a real Mopidy (an MPD-protocol server without stickers)
  packages+=(chromium sox systemd debootstrap git mopidy mopidy-mpd mopidy-local)
fi
on_pi=0
if grep -qs "Raspberry Pi" /proc/device-tree/model; then
  on_pi=1
  packages+=(python3-picamera2)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if (( ${#missing[@]} )); then
  echo "==> apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  # The packaged mpd/mosquitto services are not needed by the demo or the tests,
  # which start their own instances on loopback.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
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
if (( dev )); then
  # [train]: tests/emotion_model/test_training_pipeline.py runs the training tools themselves.
  # TensorFlow-CPU wheels exist for x86-64; elsewhere those tests skip with the reason.
  extras="dev"
  [[ "$(uname -m)" == "x86_64" ]] && extras="dev,train"
  .venv/bin/python -m pip install -q -e ".[$extras]"
else
  .venv/bin/python -m pip install -q -e .
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/today-feeling"
echo "==> models -> $cache/models"
.venv/bin/today-feeling models fetch --dir "$cache/models"
.venv/bin/python -c "from today_feeling.model_store.samples import sample_path; print('==> demo video', sample_path('WolfgangLanger_Pexels.mp4'))"
