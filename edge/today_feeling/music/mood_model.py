"""The learned music-mood model: a track's audio -> a point on the valence-arousal plane.

Two parts, both listed in the models manifest: an embedder (musicnn's MSD tagger as TFLite,
run on log-mel patches spread over the analysed excerpt, averaged) and a head (standardise,
then one logistic regression per axis, p -> 2p - 1). The head is a small JSON file so that it
can be re-fitted to other labels (models/music/train_head.py) without touching the embedder;
it names the embedder it was fitted on and is refused with any other.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from today_feeling.config.settings import ModelSettings
from today_feeling.errors import ModelError
from today_feeling.inference.runtime import LoadedModel, make_interpreter
from today_feeling.model_store.manifest import ModelEntry, manifest_for_dir, model_path
from today_feeling.model_store.registry import sha256_of
from today_feeling.music.decode import DecodeError, decode_mono
from today_feeling.music.melspec import N_MELS, PATCH_FRAMES, SAMPLE_RATE, log_mel, patches

logger = logging.getLogger(__name__)

PATCHES_PER_TRACK = 4
"""3-s patches per track, spread over the analysed excerpt: on the 4Q dev set 4 patches placed
tracks as well as 10 (a whole 30-s clip) within CV noise (71.1 vs 71.7 % quadrant accuracy)
at 40 % of the network time, which keeps a track under 0.5 s on one x86 core."""

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LearnedPoint:
    """A track's point as the learned model placed it (kept in the ``tf_features`` sticker)."""

    model: str
    valence: float
    arousal: float

    @property
    def point(self) -> tuple[float, float]:
        return (self.valence, self.arousal)

    def describe(self) -> str:
        return f"model={self.model} mood={self.valence:+.3f},{self.arousal:+.3f}"

    @classmethod
    def parse(cls, text: str) -> LearnedPoint | None:
        fields = dict(part.split("=", 1) for part in text.split() if "=" in part)
        try:
            valence, arousal = (float(v) for v in fields["mood"].split(","))
            return cls(fields["model"], valence, arousal)
        except (KeyError, ValueError):
            return None


@dataclass(frozen=True)
class MoodHead:
    """Standardisation and per-axis logistic weights, as fitted by models/music/train_head.py."""

    embedder_sha256: str
    mean: Floats
    scale: Floats
    weights: Floats
    bias: Floats
    sharpness: float = 1.0
    """Exponent on |2p - 1| (see models/music/head.py)."""

    @classmethod
    def read(cls, path: Path) -> MoodHead:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            head = cls(str(data["embedder_sha256"]), np.asarray(data["mean"], dtype=np.float64),
                       np.asarray(data["scale"], dtype=np.float64),
                       np.asarray(data["weights"], dtype=np.float64),
                       np.asarray(data["bias"], dtype=np.float64), float(data.get("sharpness", 1.0)))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise ModelError(f"music mood head {path} is unreadable: {err!r}") from err
        dim = head.mean.shape[0]
        if head.scale.shape != (dim,) or head.weights.shape != (2, dim) or head.bias.shape != (2,):
            raise ModelError(f"music mood head {path} has inconsistent shapes")
        return head

    def point(self, embedding: Floats) -> tuple[float, float]:
        """(valence, arousal) in [-1, 1]: 2 P(positive) - 1 per axis, sharpened."""
        z = (embedding - self.mean) / self.scale
        centred = 2.0 / (1.0 + np.exp(-(self.weights @ z + self.bias))) - 1.0
        valence, arousal = (np.sign(centred) * np.abs(centred) ** self.sharpness).tolist()
        return round(valence, 3), round(arousal, 3)


class MusicEmbedder:
    """The embedding network on log-mel patches; one instance per thread (it holds an interpreter)."""

    def __init__(self, loaded: LoadedModel) -> None:
        self._interpreter = loaded.interpreter
        inp, out = self._interpreter.get_input_details()[0], self._interpreter.get_output_details()[0]
        if tuple(inp["shape"][1:]) != (PATCH_FRAMES, N_MELS):
            raise ModelError(f"music embedder {loaded.path} takes {inp['shape']}, not log-mel patches")
        self._input, self._output = int(inp["index"]), int(out["index"])
        self.size = int(out["shape"][-1])

    def embed(self, samples: Floats) -> Floats:
        """Mean embedding of PATCHES_PER_TRACK patches spread over ``samples`` (16 kHz mono)."""
        rows = []
        for patch in patches(log_mel(samples), PATCHES_PER_TRACK):
            self._interpreter.set_tensor(self._input, patch[None].astype(np.float32))
            self._interpreter.invoke()
            rows.append(np.array(self._interpreter.get_tensor(self._output)[0], dtype=np.float64))
        return np.asarray(np.mean(rows, axis=0), dtype=np.float64)


class MusicMoodModel:
    """Places audio on the plane with an embedder and a head fitted on its embeddings."""

    def __init__(self, key: str, embedder: MusicEmbedder, head: MoodHead, head_id: str = "") -> None:
        if embedder.size != head.mean.shape[0]:
            raise ModelError(f"music embedder {key} and its head disagree on the embedding size")
        self.key = key
        self.fingerprint = f"{key}+{head_id}" if head_id else key
        """Names the embedder and the head's content, so a re-fitted head re-places the library."""
        self._embedder = embedder
        self._head = head

    def place_samples(self, samples: Floats) -> tuple[float, float]:
        return self._head.point(self._embedder.embed(samples))

    def place_file(self, path: Path, duration_s: float | None, window_s: float) -> tuple[float, float]:
        """The middle ``window_s`` of a file, like the hand-made analysis (intros mislead)."""
        start = 0.0
        if duration_s is not None and duration_s > window_s:
            start = (duration_s - window_s) / 2.0
        samples = decode_mono(path, SAMPLE_RATE, start, window_s)
        if samples.size < SAMPLE_RATE:
            raise DecodeError(f"{path}: too little audio to analyse ({samples.size} samples)")
        return self.place_samples(samples)


def _entry(manifest: dict[str, ModelEntry], key: str, kind: str) -> ModelEntry:
    entry = manifest.get(key)
    if entry is None or entry.kind != kind:
        known = ", ".join(k for k, e in manifest.items() if e.kind == kind) or "none"
        raise ModelError(f"'{key}' is not a {kind} in the models manifest (known: {known})")
    return entry


def load_configured(models: ModelSettings) -> MusicMoodModel | None:
    """The model ``models.music`` names, or None (hand-made features) when it is off or unusable.

    An unusable model is a warning, not a failure: the library is still placed, by features,
    and the fingerprint records the method, so the next scan with the model redoes those tracks.
    """
    if not models.music:
        return None
    try:
        return load_music_model(Path(models.dir).expanduser(), models.music, models.music_head)
    except ModelError as err:
        logger.warning("music mood model not used, tracks are placed by audio features: %s", err)
        return None


def load_music_model(models_dir: Path, embedder_key: str, head_key: str, threads: int = 1) -> MusicMoodModel:
    """The configured embedder and head; raises ModelError with what to do when unusable."""
    manifest = manifest_for_dir(models_dir)
    embedder_entry = _entry(manifest, embedder_key, "music_embedder")
    head_entry = _entry(manifest, head_key, "music_head")
    embedder_file = model_path(models_dir, embedder_entry)
    head_file = model_path(models_dir, head_entry)
    head = MoodHead.read(head_file)
    if head.embedder_sha256 != sha256_of(embedder_file):
        raise ModelError(
            f"music head {head_key} was fitted on another embedder than {embedder_file.name}; "
            f"re-fit it (models/music/train_head.py) or set models.music_head to a matching one"
        )
    loaded = make_interpreter(embedder_file, None, "cpu", threads)
    logger.info("music mood model %s + %s (%s)", embedder_key, head_key, embedder_entry.licence)
    return MusicMoodModel(embedder_key, MusicEmbedder(loaded), head, sha256_of(head_file)[:12])
