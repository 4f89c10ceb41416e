#!/usr/bin/env bash
# Compile full-int8 .tflite models for the Coral EdgeTPU.
#
#   models/edgetpu/compile.sh [MODEL.tflite ...]
#
# Default: every model a Coral device runs: both full-integer face detectors
# (models/detectors/*_int8.tflite) and the default emotion model.
#
# Writes MODEL_edgetpu.tflite and MODEL_edgetpu.log beside each input. The CPU .tflite stays
# where it is: a compiled model cannot run without a TPU, and the runtime falls back to it.
# edgetpu_compiler exists only for x86-64 Debian/Ubuntu, from Coral's apt repository:
#   https://coral.ai/docs/edgetpu/compiler/  (package edgetpu-compiler)
# Before compiling, the static check in our code rejects anything the compiler would leave on
# the CPU (unsupported ops, dynamic shapes, float tensors, several subgraphs).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"

if ! command -v edgetpu_compiler >/dev/null 2>&1; then
    echo "edgetpu_compiler not found. Install it on x86-64 Debian from Coral's apt repository" >&2
    echo "(apt-get install edgetpu-compiler), or compile on such a machine and copy the" >&2
    echo "*_edgetpu.tflite back next to the CPU model." >&2
    exit 69
fi

if [ "$#" -eq 0 ]; then
    set -- "$root"/models/detectors/face_detection_short_range_int8.tflite \
        "$root"/models/detectors/face_detection_full_range_int8.tflite \
        "$root"/models/emotion/today_feeling_emotion_v5_int8.tflite
fi

for model in "$@"; do
    case "$model" in *_edgetpu.tflite) continue ;; esac
    dir="$(dirname "$model")"
    stem="$(basename "$model" .tflite)"
    echo "== $model"
    PYTHONPATH="$root/edge${PYTHONPATH:+:$PYTHONPATH}" "$python" -m today_feeling.inference.edgetpu_compat "$model"
    # -s: print the per-op mapping summary; -o: output folder; the log keeps it for review.
    edgetpu_compiler -s -o "$dir" "$model" | tee "$dir/${stem}_edgetpu.log"
    if grep -q "will run on CPU" "$dir/${stem}_edgetpu.log" \
        && ! grep -q "Number of operations that will run on CPU: 0" "$dir/${stem}_edgetpu.log"; then
        echo "WARNING: some operations of $model stay on the CPU (see ${stem}_edgetpu.log)" >&2
    fi
    echo "manifest: edgetpu_sha256 = \"$(sha256sum "$dir/${stem}_edgetpu.tflite" | cut -d' ' -f1)\"  # ${stem}_edgetpu.tflite"
done
echo "Put each edgetpu_sha256 line into the entry whose edgetpu_file it is (models/manifest.toml);"
echo "'today-feeling models fetch' refuses a compiled file whose sha256 the manifest does not name."
