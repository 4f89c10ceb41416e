"""A demo library: synthesised tracks of known tempo, mode and loudness.

No music can be downloaded on the build machines, and tests need tracks whose
character is known, so we make them: a kick/hi-hat pulse at a given tempo under a
major or minor chord progression, with a brightness (harmonic richness) and an RMS
level. ffmpeg encodes them (FLAC by default) with Artist/Title/Genre/Album tags.
"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

RATE = 22050
ARTIST = "Today Feeling Demo"
_NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
# Chord roots (semitones above the tonic) and qualities; four bars, one chord each.
_MAJOR_PROGRESSION = ((0, "maj"), (5, "maj"), (7, "maj"), (0, "maj"))
_MINOR_PROGRESSION = ((0, "min"), (5, "min"), (7, "min"), (0, "min"))
_TRIADS = {"maj": (0, 4, 7), "min": (0, 3, 7)}

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DemoTrack:
    """The known character of one generated track."""

    name: str
    bpm: float
    major: bool
    level_db: float
    """Target RMS level, dB relative to full scale."""
    harmonics: int
    """Partials per note: more sound brighter."""
    tonic: int = 0
    """Semitones above C."""

    @property
    def genre(self) -> str:
        fast = self.bpm >= 110
        return {(True, True): "Pop", (True, False): "Rock",
                (False, True): "Folk", (False, False): "Ambient"}[(fast, self.major)]

    @property
    def title(self) -> str:
        key = f"{_NOTE_NAMES[self.tonic % 12]} {'major' if self.major else 'minor'}"
        return f"{self.name} ({self.bpm:.0f} bpm, {key}, {self.level_db:.0f} dB)"


def default_tracks(count: int) -> list[DemoTrack]:
    """``count`` tracks spread over tempo x mode x loudness, energetic ones bright.

    Energetic tracks carry 32 partials per note: with fewer, their spectrum is darker than
    real music (centroid ~1 kHz vs ~2.2 kHz), and both placements call them calm.
    """
    tempos = (150.0, 72.0, 124.0, 92.0)
    out = []
    for i in range(count):
        bpm = tempos[i % 4]
        major = (i % 2 == 0) != ((i // 4) % 2 == 1)  # alternate, swapped every 4 tracks
        loud = bpm >= 110
        out.append(DemoTrack(
            name=f"Demo {i + 1:02d}", bpm=bpm, major=major,
            level_db=-12.0 if loud else -30.0, harmonics=32 if loud else 2, tonic=(i * 5) % 12,
        ))
    return out


def _note(freq: float, n: int, harmonics: int) -> Floats:
    t = np.arange(n) / RATE
    tone = sum(np.sin(2 * np.pi * freq * k * t) / k for k in range(1, harmonics + 1))
    env = np.minimum(1.0, t / 0.02) * np.exp(-t * 1.5)
    return np.asarray(tone * env, dtype=np.float64)


def _pad(progression: tuple[tuple[int, str], ...], spec: DemoTrack, seconds: float) -> Floats:
    """Sustained chords, one per bar of four beats, looping for ``seconds``."""
    total = int(seconds * RATE)
    bar = int(4 * 60.0 / spec.bpm * RATE)
    out = np.zeros(total)
    for b, start in enumerate(range(0, total, bar)):
        root, quality = progression[b % len(progression)]
        n = min(bar, total - start)
        for interval in _TRIADS[quality]:
            midi = 48 + spec.tonic % 12 + root + interval  # C3..B4
            out[start:start + n] += _note(440.0 * 2 ** ((midi - 69) / 12), n, spec.harmonics)
        out[start:start + n] += 0.7 * _note(440.0 * 2 ** ((36 + spec.tonic % 12 + root - 69) / 12),
                                            n, spec.harmonics)  # bass root
    return out


def _drums(spec: DemoTrack, seconds: float, rng: np.random.Generator) -> Floats:
    """Kick on each beat, noise hi-hat on the off-beat: a clear pulse for tempo tracking."""
    total = int(seconds * RATE)
    beat = 60.0 / spec.bpm
    out = np.zeros(total)
    kn = int(0.15 * RATE)
    tk = np.arange(kn) / RATE
    kick = np.sin(2 * np.pi * (50 * tk + 60 * (1 - np.exp(-tk * 30)) / 30)) * np.exp(-tk * 25)
    hat = rng.standard_normal(int(0.05 * RATE)) * np.exp(-np.arange(int(0.05 * RATE)) / 150.0)
    for i in range(int(seconds / beat) + 1):
        for offset, hit, gain in ((0.0, kick, 3.0), (0.5, hat, 0.6)):
            start = int((i + offset) * beat * RATE)
            n = min(hit.size, total - start)
            if n > 0:
                out[start:start + n] += gain * hit[:n]
    return out


def synthesise(spec: DemoTrack, seconds: float, seed: int = 0) -> Floats:
    """Mono float samples at RATE scaled to the track's RMS level."""
    progression = _MAJOR_PROGRESSION if spec.major else _MINOR_PROGRESSION
    mix = _pad(progression, spec, seconds) + _drums(spec, seconds, np.random.default_rng(seed))
    rms = float(np.sqrt(np.mean(mix**2))) or 1.0
    mix *= 10 ** (spec.level_db / 20.0) / rms
    return np.asarray(np.clip(mix, -1.0, 1.0), dtype=np.float64)


def write_track(spec: DemoTrack, path: Path, seconds: float, seed: int = 0) -> None:
    """Encode with ffmpeg (format from the suffix: .flac, .ogg, .wav) and tag it."""
    pcm = (synthesise(spec, seconds, seed) * 32767).astype("<i2").tobytes()
    tags = {"artist": ARTIST, "album": "Moods", "title": spec.title, "genre": spec.genre}
    meta = [arg for k, v in tags.items() for arg in ("-metadata", f"{k}={v}")]
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "s16le", "-ar", str(RATE),
           "-ac", "1", "-i", "-", *meta, str(path)]
    subprocess.run(cmd, input=pcm, check=True, capture_output=True, timeout=120)


def generate(out_dir: Path, count: int = 12, seconds: float = 30.0,
             fmt: str = "flac") -> list[tuple[Path, DemoTrack]]:
    """Write ``count`` demo tracks into ``out_dir`` (created); returns paths with their specs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for i, spec in enumerate(default_tracks(count)):
        path = out_dir / f"{spec.name.lower().replace(' ', '-')}.{fmt}"
        write_track(spec, path, seconds, seed=i)
        logger.debug("wrote %s: %s", path, spec.title)
        written.append((path, spec))
    return written
