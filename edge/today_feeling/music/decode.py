"""Decode any audio file ffmpeg reads into mono float samples at a chosen rate.

Channels are averaged here rather than by ffmpeg's ``-ac 1``: ffmpeg's stereo-to-mono
matrix keeps each channel at -3 dB, so its mono is 3 dB louder than the mean of the channels
that music models (librosa's ``to_mono``) were trained on. ffmpeg writes 16-bit WAV, whose
header tells the channel count; 16 bits are far finer than anything we measure.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


class DecodeError(Exception):
    """ffmpeg could not decode a file (missing, corrupt, unsupported)."""


def decode_mono(path: Path, sample_rate: int, start_s: float = 0.0, length_s: float | None = None,
                timeout_s: float = 120.0) -> Floats:
    """Mono float samples in [-1, 1] at ``sample_rate`` of ``length_s`` from ``start_s``."""
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-ss", f"{start_s:.3f}"]
    if length_s is not None:
        cmd += ["-t", f"{length_s:.3f}"]
    cmd += ["-i", str(path), "-vn", "-map_metadata", "-1", "-fflags", "+bitexact",
            "-ar", str(sample_rate), "-c:a", "pcm_s16le", "-f", "wav", "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise DecodeError(f"{path}: ffmpeg failed: {err}") from err
    if done.returncode != 0:
        raise DecodeError(f"{path}: {done.stderr.decode(errors='replace').strip()[:200]}")
    return _wav_to_mono(done.stdout, path)


def _wav_to_mono(data: bytes, path: Path) -> Floats:
    """The mean of a 16-bit WAV's channels, walking its chunks by id and size.

    Tags would come before the audio in a LIST chunk (we ask ffmpeg for none), and on a pipe
    ffmpeg cannot go back to fill in the data chunk's size, so the audio runs to the end.
    """
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise DecodeError(f"{path}: ffmpeg produced no audio")
    channels, offset = 0, 12
    while offset + 8 <= len(data):
        chunk, size = data[offset:offset + 4], int.from_bytes(data[offset + 4:offset + 8], "little")
        body = offset + 8
        if chunk == b"fmt ":
            channels = int.from_bytes(data[body + 2:body + 4], "little")
        elif chunk == b"data":
            if channels <= 0:
                raise DecodeError(f"{path}: ffmpeg's WAV has audio before its format")
            rest = len(data) - body
            length = size if 0 < size <= rest else rest  # a pipe's placeholder size: to the end
            pcm = np.frombuffer(data[body:body + length // 2 * 2], dtype="<i2")
            usable = pcm.size - pcm.size % channels
            frames = pcm[:usable].reshape(-1, channels).astype(np.float64) / 32768.0
            return np.asarray(frames.mean(axis=1), dtype=np.float64)
        offset = body + size + (size & 1)
    raise DecodeError(f"{path}: ffmpeg produced no audio")
