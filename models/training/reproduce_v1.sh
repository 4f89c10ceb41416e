#!/usr/bin/env bash
# Reproduce models/emotion/today_feeling_emotion_v1_* from FER2013 (training venv, CPU).
#
#   models/training/reproduce_v1.sh [CKPT_DIR]      (default /work/ckpt; outside the repo)
#
# Every stage checkpoints each epoch and resumes when re-run, so the script can be stopped and
# started again. Took ~92 min wall on 2 shared CPU cores (see models/emotion/README.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ckpt="${1:-/work/ckpt}"
py="${PYTHON:-/work/venv-train/bin/python}"
run() { nice -n 5 "$py" -m "$@"; }

# 1. 14 epochs, peak LR 0.04, full augmentation
run models.training.train --run "$ckpt/tf_emotion_v1"
# 2. warm restart: 16 epochs, peak LR 0.02
run models.training.train --run "$ckpt/tf_emotion_v1r" --init "$ckpt/tf_emotion_v1/last.keras" --epochs 16 --lr 0.02
# 3. light-augmentation phase: 8 epochs, peak LR 0.01, weight decay 2e-4, half-strength warps, no occluder
run models.training.train --run "$ckpt/tf_emotion_v1r2" --init "$ckpt/tf_emotion_v1r/last.keras" --epochs 8 \
    --lr 0.01 --weight-decay 2e-4 --aug-strength 0.5 --cutout 0
# 4. average the last three epochs' weights, re-estimate BatchNorm statistics
run models.training.swa --run "$ckpt/tf_emotion_v1r2" --epochs 6 7 8
# 5. temperature on the hold-out, float + int8 export (700 stratified calibration faces)
run models.training.export --run "$ckpt/tf_emotion_v1r2" --keras "$ckpt/tf_emotion_v1r2/swa.keras" \
    --out models/emotion/today_feeling_emotion_v1
# 6. figures for the model card (product venv: no TensorFlow)
sha256sum models/emotion/today_feeling_emotion_v1_int8.tflite   # -> sha256 in models/manifest.toml
"${PRODUCT_PYTHON:-/work/venv/bin/python}" -m models.training.measure --key emotion_today_feeling_v1 \
    --float models/emotion/today_feeling_emotion_v1_float.tflite --out models/emotion/metrics_v1.json
