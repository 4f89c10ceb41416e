"""The log-mel spectrogram the learned music model was trained on, in plain numpy.

musicnn's taggers were trained on librosa's mel spectrogram of 16 kHz mono audio (512-point
FFT, hop 256, 96 Slaney mel bands, power 2), compressed as log10(10000 * mel + 1). We compute
the same thing here so that neither librosa nor TensorFlow is needed on the device: a Hann
STFT over reflect-padded frames and a Slaney-normalised triangular filter bank.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16000
N_FFT = 512
HOP = 256
N_MELS = 96
PATCH_FRAMES = 187
"""Frames per model input: the 3 s the taggers were trained on."""

Floats = npt.NDArray[np.float64]
Floats32 = npt.NDArray[np.float32]

_SLANEY_LINEAR_HZ_PER_MEL = 200.0 / 3.0
_SLANEY_LOG_START_HZ = 1000.0
_SLANEY_LOG_STEP = np.log(6.4) / 27.0


def hz_to_mel(hz: Floats) -> Floats:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above (as in the Auditory Toolbox)."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / _SLANEY_LINEAR_HZ_PER_MEL
    start_mel = _SLANEY_LOG_START_HZ / _SLANEY_LINEAR_HZ_PER_MEL
    log = start_mel + np.log(np.maximum(hz, 1e-12) / _SLANEY_LOG_START_HZ) / _SLANEY_LOG_STEP
    return np.where(hz >= _SLANEY_LOG_START_HZ, log, linear)


def mel_to_hz(mel: Floats) -> Floats:
    """Inverse of :func:`hz_to_mel`."""
    mel = np.asarray(mel, dtype=np.float64)
    start_mel = _SLANEY_LOG_START_HZ / _SLANEY_LINEAR_HZ_PER_MEL
    linear = mel * _SLANEY_LINEAR_HZ_PER_MEL
    log = _SLANEY_LOG_START_HZ * np.exp(_SLANEY_LOG_STEP * (mel - start_mel))
    return np.where(mel >= start_mel, log, linear)


@cache
def mel_filterbank(sr: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS) -> Floats:
    """(n_mels, n_fft // 2 + 1) triangular filters, each of unit area in Hz (Slaney norm)."""
    fft_hz = np.linspace(0.0, sr / 2.0, n_fft // 2 + 1)
    edges_hz = mel_to_hz(np.linspace(hz_to_mel(np.array(0.0)), hz_to_mel(np.array(sr / 2.0)), n_mels + 2))
    widths = np.diff(edges_hz)
    ramps = edges_hz[:, None] - fft_hz[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges_hz[2:] - edges_hz[:-2]))[:, None]
    weights.flags.writeable = False
    return weights


def log_mel(samples: Floats) -> Floats32:
    """(frames, N_MELS) compressed mel spectrogram of mono SAMPLE_RATE audio in [-1, 1]."""
    x = np.asarray(samples, dtype=np.float64)
    if x.size <= N_FFT // 2:
        raise ValueError(f"need more than {N_FFT // 2} samples, got {x.size}")
    padded = np.pad(x, N_FFT // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    window = np.hanning(N_FFT + 1)[:-1]  # periodic Hann, as scipy's get_window("hann")
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    mel = power @ mel_filterbank().T
    # The taggers' training pipeline stored spectrograms as float16 before compressing.
    mel16 = mel.astype(np.float16).astype(np.float64)
    return np.log10(10000.0 * mel16 + 1.0).astype(np.float32)


def patches(spectrogram: Floats32, count: int) -> Floats32:
    """Up to ``count`` non-overlapping PATCH_FRAMES-long patches spread evenly over the track.

    A clip shorter than one patch is repeated to fill it (the taggers' own "repeat-pad").
    """
    frames = spectrogram.shape[0]
    if frames < PATCH_FRAMES:
        reps = -(-PATCH_FRAMES // max(frames, 1))
        return np.tile(spectrogram, (reps, 1))[None, :PATCH_FRAMES]
    fit = frames // PATCH_FRAMES
    n = max(1, min(count, fit))
    starts = np.linspace(0, frames - PATCH_FRAMES, n).round().astype(int)
    return np.stack([spectrogram[s:s + PATCH_FRAMES] for s in starts])
