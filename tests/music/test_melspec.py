"""The numpy log-mel front end reproduces the spectrogram musicnn was trained on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from today_feeling.music import melspec

REFERENCE = Path(__file__).with_name("data") / "librosa_logmel_reference.npy"


def reference_signal() -> np.ndarray:
    """The signal the committed reference was computed from (chirp + two tones, 2 s)."""
    t = np.arange(2 * melspec.SAMPLE_RATE) / melspec.SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * (100 * t + (6000 - 100) / 4.0 * t ** 2))
            + 0.2 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 3000 * t) * (t > 1))


def test_matches_librosa_on_a_known_signal() -> None:
    # Computed once with librosa 0.11 (melspectrogram, n_fft 512, hop 256, 96 mels,
    # pad_mode="reflect", then musicnn's float16 + log10(10000 x + 1)).
    expected = np.load(REFERENCE)
    ours = melspec.log_mel(reference_signal())
    assert ours.shape == expected.shape == (126, melspec.N_MELS)
    assert np.abs(ours - expected).max() < 2e-3


def test_slaney_filters_have_unit_area_and_rising_centres() -> None:
    bank = melspec.mel_filterbank()
    assert bank.shape == (melspec.N_MELS, melspec.N_FFT // 2 + 1)
    bin_hz = melspec.SAMPLE_RATE / melspec.N_FFT
    area = bank.sum(axis=1) * bin_hz
    # Each triangle integrates to one; sampling it on FFT bins adds a few per cent either way.
    assert np.allclose(area, 1.0, atol=0.15)
    assert abs(float(area.mean()) - 1.0) < 0.01
    peaks = bank.argmax(axis=1)
    assert np.all(np.diff(peaks) >= 0) and peaks[-1] > peaks[0]


def test_mel_scale_is_linear_below_1khz_and_inverts() -> None:
    hz = np.array([0.0, 200.0, 1000.0, 4000.0, 8000.0])
    assert melspec.hz_to_mel(np.array(500.0)) == pytest.approx(7.5)
    assert np.allclose(melspec.mel_to_hz(melspec.hz_to_mel(hz)), hz)


def test_a_tone_lights_the_band_around_its_frequency() -> None:
    t = np.arange(melspec.SAMPLE_RATE) / melspec.SAMPLE_RATE
    spec = melspec.log_mel(0.5 * np.sin(2 * np.pi * 1000.0 * t))
    loudest = int(spec[10:-10].mean(axis=0).argmax())
    centres = melspec.mel_to_hz(np.linspace(0, melspec.hz_to_mel(np.array(8000.0)), melspec.N_MELS + 2))[1:-1]
    assert abs(centres[loudest] - 1000.0) < 60.0


def test_patches_spread_over_the_track_and_short_clips_repeat() -> None:
    frames = np.arange(1000, dtype=np.float32)[:, None] * np.ones((1, melspec.N_MELS), np.float32)
    got = melspec.patches(frames, 4)
    assert got.shape == (4, melspec.PATCH_FRAMES, melspec.N_MELS)
    assert got[0, 0, 0] == 0 and got[-1, -1, 0] == 999  # first and last frames covered
    short = melspec.patches(frames[:50], 4)
    assert short.shape == (1, melspec.PATCH_FRAMES, melspec.N_MELS)
    assert np.array_equal(short[0, 50:100], frames[:50])  # repeat-padded, not zero-padded


def test_too_little_audio_is_refused() -> None:
    with pytest.raises(ValueError, match="more than"):
        melspec.log_mel(np.zeros(100))
