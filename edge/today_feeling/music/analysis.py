"""Audio analysis: from a music file to a point on the valence-arousal plane.

Music psychology links arousal mostly to tempo, loudness and brightness, and valence
mostly to mode (major vs minor), helped by tempo and brightness. We measure exactly
those with plain numpy on a mono 22.05 kHz excerpt decoded by ffmpeg, which keeps the
analysis cheap enough for a Raspberry Pi and free of heavy dependencies.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from today_feeling.music.decode import DecodeError, decode_mono
from today_feeling.music.space import clip_unit

__all__ = ["DecodeError", "Features", "analyse_file", "measure", "to_valence_arousal"]

logger = logging.getLogger(__name__)

SAMPLE_RATE = 22050
N_FFT = 2048
HOP = 512
CHROMA_FFT = 8192
ANALYSIS_VERSION = 2
"""Bump when features or weights change so that the next scan re-analyses every file.
2: channel-mean decoding (3 dB quieter than ffmpeg's mono for stereo), re-centred mapping."""

Floats = npt.NDArray[np.float64]

# Krumhansl-Kessler key profiles (probe-tone ratings), C major and C minor.
_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


@dataclass(frozen=True)
class Features:
    """What we measured, in physical units (kept in a sticker for other clients)."""

    tempo_bpm: float
    loudness_db: float
    """RMS level in dB relative to full scale."""
    centroid_hz: float
    """Spectral centroid: higher sounds brighter."""
    mode: float
    """Major-minor key-profile correlation difference: > 0 major, < 0 minor."""

    def describe(self) -> str:
        return (f"bpm={self.tempo_bpm:.1f} db={self.loudness_db:.1f} "
                f"centroid={self.centroid_hz:.0f} mode={self.mode:+.3f} v{ANALYSIS_VERSION}")


def decode(path: Path, start_s: float, length_s: float, timeout_s: float = 120.0) -> Floats:
    """Mono float samples at SAMPLE_RATE (any format ffmpeg reads), long enough to analyse."""
    samples = decode_mono(path, SAMPLE_RATE, start_s, length_s, timeout_s)
    if samples.size < CHROMA_FFT * 2:
        raise DecodeError(f"{path}: too little audio to analyse ({samples.size} samples)")
    return samples


def spectrogram(x: Floats) -> Floats:
    """Magnitude STFT, frames x bins (Hann window)."""
    frames = np.lib.stride_tricks.sliding_window_view(x, N_FFT)[::HOP]
    return np.abs(np.fft.rfft(frames * np.hanning(N_FFT), axis=1))


def estimate_tempo(mag: Floats) -> float:
    """Tempo from the autocorrelation of spectral flux, with a prior around 110 BPM.

    The log-normal prior is the usual guard against octave errors (half/double tempo).
    """
    flux = np.maximum(np.diff(np.log1p(mag * 10.0), axis=0), 0.0).sum(axis=1)
    flux = flux - flux.mean()
    if not np.any(flux):
        return 0.0
    fps = SAMPLE_RATE / HOP
    ac = np.correlate(flux, flux, mode="full")[flux.size - 1:]
    lags = np.arange(ac.size, dtype=np.float64)
    valid = (lags >= fps * 60 / 200) & (lags <= fps * 60 / 40)
    bpm = np.where(valid, 60.0 * fps / np.maximum(lags, 1), 0.0)
    prior = np.exp(-0.5 * (np.log2(np.maximum(bpm, 1) / 110.0) / 0.9) ** 2)
    score = np.where(valid, ac * prior, -np.inf)
    lag = int(np.argmax(score))
    # Parabolic interpolation for a sub-frame lag (coarse frames otherwise bias fast tempi).
    if 0 < lag < ac.size - 1:
        a, b, c = ac[lag - 1], ac[lag], ac[lag + 1]
        denom = a - 2 * b + c
        if denom != 0:
            return float(60.0 * fps / (lag + 0.5 * (a - c) / denom))
    return float(60.0 * fps / lag)


def chroma(x: Floats) -> Floats:
    """Energy per pitch class (C..B) from 100 Hz to 2 kHz.

    Uses long frames (0.37 s): at 2048 samples a bin is 11 Hz wide, wider than a
    semitone below 200 Hz, which smears bass notes across pitch classes.
    """
    frames = np.lib.stride_tricks.sliding_window_view(x, CHROMA_FFT)[::CHROMA_FFT // 2]
    mag = np.abs(np.fft.rfft(frames * np.hanning(CHROMA_FFT), axis=1))
    freqs = np.fft.rfftfreq(CHROMA_FFT, 1.0 / SAMPLE_RATE)
    band = (freqs >= 100.0) & (freqs <= 2000.0)
    pitch = np.round(12 * np.log2(freqs[band] / 440.0) + 69).astype(int) % 12
    energy = (mag[:, band] ** 2).sum(axis=0)
    return np.bincount(pitch, weights=energy, minlength=12).astype(np.float64)


def mode_score(pcs: Floats) -> float:
    """Best major-key correlation minus best minor-key correlation, over the 12 keys."""
    if not np.any(pcs):
        return 0.0
    def best(profile: Floats) -> float:
        return max(float(np.corrcoef(pcs, np.roll(profile, k))[0, 1]) for k in range(12))
    return best(_MAJOR) - best(_MINOR)


def measure(x: Floats) -> Features:
    """All features of one excerpt."""
    mag = spectrogram(x)
    rms = math.sqrt(float(np.mean(x * x)))
    freqs = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    power = mag.sum(axis=0)
    centroid = float((freqs * power).sum() / max(power.sum(), 1e-12))
    return Features(
        tempo_bpm=estimate_tempo(mag),
        loudness_db=20.0 * math.log10(max(rms, 1e-6)),
        centroid_hz=centroid,
        mode=mode_score(chroma(x)),
    )


#: Where real masters sit (the issue-17 measurement on 900 4Q recordings, channel-mean mono):
#: RMS about -17 dBFS (-14 per channel) and a spectral centroid about 2.2 kHz. Centring there,
#: not at -25 dBFS and 1 kHz, is what keeps most real music from landing at high arousal.
TYPICAL_LOUDNESS_DB = -17.0
TYPICAL_CENTROID_HZ = 2200.0


def to_valence_arousal(f: Features) -> tuple[float, float]:
    """Map features onto [-1, 1]^2, centred on typical commercial music.

    On real recordings (4Q dev set) brightness separates calm from energetic best (AUC 0.82),
    then level (0.74); tempo separates nothing (0.47), so it only nudges. Valence has one
    weak cue here, the major/minor key profile (AUC 0.56): the learned model exists because
    of that, and this mapping is its fallback.
    """
    tempo = clip_unit((f.tempo_bpm - 110.0) / 50.0)  # 60 BPM -> -1, 160 BPM -> +1
    loud = clip_unit((f.loudness_db - TYPICAL_LOUDNESS_DB) / 6.0)  # -23 dBFS -> -1, -11 -> +1
    bright = clip_unit(math.log2(max(f.centroid_hz, 1.0) / TYPICAL_CENTROID_HZ))  # one octave
    mode = clip_unit(f.mode * 4.0)
    arousal = clip_unit(0.55 * bright + 0.35 * loud + 0.10 * tempo)
    valence = clip_unit(0.80 * mode + 0.20 * tempo)
    return round(valence, 3), round(arousal, 3)


def analyse_file(path: Path, duration_s: float | None, window_s: float) -> Features:
    """Measure the middle ``window_s`` of a file (intros and fades are unrepresentative)."""
    start = 0.0
    if duration_s is not None and duration_s > window_s:
        start = (duration_s - window_s) / 2.0
    return measure(decode(path, start, window_s))
