"""One person's profile as a value: samples in, adapter out, bounded, model-pinned.

Why the model pin: an embedding means something only to the network that produced it. A
profile made with another emotion model (or another build of it) would be applied as noise,
so it is refused with a message that says what to do, never silently misapplied.
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from today_feeling.domain.emotions import EMOTIONS
from today_feeling.domain.personal import PersonalAdapter
from today_feeling.errors import ProfileError

FORMAT = 1
SOURCES = ("enrol", "correction", "import")
#: Corrections listed for UIs per profile (the newest): the message stays far below the broker's
#: 64 KiB packet limit however many a household makes. Older ones: `profile show`.
LISTED_CORRECTIONS = 10


@dataclass(frozen=True)
class Sample:
    """One face's embedding with the expression it shows; never the face itself."""

    t: float
    """Wall-clock time it was taken (s since the epoch)."""
    emotion: int
    """Index into EMOTIONS."""
    source: str
    """'enrol' (guided), 'correction' ('I'm X') or 'import' (profile enroll from crops)."""
    batch: str
    """Samples added together share a batch id; undoing a correction removes its batch."""
    embedding: npt.NDArray[np.float32]

    def to_json(self) -> dict[str, Any]:
        blob = base64.b64encode(self.embedding.astype("<f2").tobytes()).decode("ascii")
        return {"t": round(self.t, 3), "emotion": EMOTIONS[self.emotion], "source": self.source,
                "batch": self.batch, "embedding_f16": blob}

    @classmethod
    def from_json(cls, doc: dict[str, Any], dim: int) -> Sample:
        emotion = EMOTIONS.index(str(doc["emotion"]))
        source = str(doc["source"])
        if source not in SOURCES:
            raise ValueError(f"unknown sample source {source!r}")
        raw = np.frombuffer(base64.b64decode(str(doc["embedding_f16"]), validate=True), dtype="<f2")
        if raw.shape != (dim,) or not np.isfinite(raw).all():
            raise ValueError(f"embedding of {raw.shape[0]} values, expected {dim} finite ones")
        return cls(float(doc["t"]), emotion, source, str(doc["batch"]), raw.astype(np.float32))


@dataclass(frozen=True)
class Profile:
    name: str
    model_key: str
    model_sha256: str
    created: float
    samples: tuple[Sample, ...] = ()

    @property
    def updated(self) -> float:
        return max((s.t for s in self.samples), default=self.created)

    def check_model(self, key: str, sha256: str) -> None:
        """Raise ProfileError unless the profile was made with this exact model."""
        if (self.model_key, self.model_sha256) != (key, sha256):
            raise ProfileError(
                f"profile '{self.name}' was made with emotion model {self.model_key} "
                f"(sha256 {self.model_sha256[:12]}), this device runs {key} (sha256 {sha256[:12]}): "
                f"its samples mean nothing to this model. Enrol again (the dashboard's \"Teach it "
                f"your face\") after 'today-feeling profile delete {self.name}'")

    def add(self, new: list[Sample], max_per_emotion: int) -> Profile:
        """The profile with ``new`` samples, keeping at most ``max_per_emotion`` newest each."""
        merged = sorted((*self.samples, *new), key=lambda s: s.t)
        kept: list[Sample] = []
        seen: Counter[int] = Counter()
        for sample in reversed(merged):
            if seen[sample.emotion] < max_per_emotion:
                seen[sample.emotion] += 1
                kept.append(sample)
        return replace(self, samples=tuple(reversed(kept)))

    def without_batch(self, batch: str) -> Profile:
        return replace(self, samples=tuple(s for s in self.samples if s.batch != batch))

    def adapter(self, centre: npt.NDArray[np.float32]) -> PersonalAdapter | None:
        """The fitted adapter, or None for a profile without samples."""
        if not self.samples:
            return None
        embeddings = np.stack([s.embedding for s in self.samples])
        labels = np.asarray([s.emotion for s in self.samples], dtype=np.int64)
        return PersonalAdapter.fit(embeddings, labels, centre)

    def corrections(self) -> list[dict[str, Any]]:
        """Each correction batch still in the profile: id, emotion, time, samples (for undo)."""
        batches: dict[str, list[Sample]] = {}
        for sample in self.samples:
            if sample.source == "correction":
                batches.setdefault(sample.batch, []).append(sample)
        return [{"id": batch, "emotion": EMOTIONS[items[0].emotion], "t": round(items[0].t, 3),
                 "samples": len(items)} for batch, items in batches.items()]

    def summary(self) -> dict[str, Any]:
        """What UIs may show: counts and corrections, never embeddings."""
        counts = Counter(EMOTIONS[s.emotion] for s in self.samples)
        return {"name": self.name, "model": self.model_key, "created": round(self.created, 3),
                "updated": round(self.updated, 3), "samples": len(self.samples),
                "per_emotion": {e: counts.get(e, 0) for e in EMOTIONS},
                "corrections": self.corrections()[-LISTED_CORRECTIONS:]}

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "name": self.name,
                "model": {"key": self.model_key, "sha256": self.model_sha256},
                "created": round(self.created, 3), "samples": [s.to_json() for s in self.samples]}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Profile:
        """Parse a profile document; ValueError/KeyError/TypeError on anything malformed."""
        if doc.get("format") != FORMAT:
            raise ValueError(f"unknown profile format {doc.get('format')!r} (this version reads {FORMAT})")
        samples = doc["samples"]
        if not isinstance(samples, list):
            raise ValueError("samples is not a list")
        dim = len(base64.b64decode(samples[0]["embedding_f16"])) // 2 if samples else 0
        return cls(str(doc["name"]), str(doc["model"]["key"]), str(doc["model"]["sha256"]),
                   float(doc["created"]), tuple(Sample.from_json(s, dim) for s in samples))
