"""Convert musicnn's MSD tagger, from its pinned PyPI wheel, into the TFLite embedder we ship.

    python -m models.music.convert --calibration ../shared/datasets/music_4q_dev --out models/music

Steps: fetch ``musicnn==0.1.0`` (sha256-pinned, never installed: its metadata pins numpy<1.17),
extract the MSD checkpoint (sha256-checked), rebuild it as Keras (musicnn_graph.py), and write
``musicnn_msd_float.tflite`` (what we ship) and, with ``--int8``, a full-integer
``musicnn_msd_int8.tflite`` (float in/out) calibrated on log-mel patches of the given audio.
Both output the 200-d penultimate embedding; ``convert_report.json`` compares each with the
Keras graph on held-back files.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from models.music.musicnn_graph import Checkpoint, build
from tensorflow import keras

from today_feeling.model_store.registry import PinnedWheel, extract_member, fetch_wheel
from today_feeling.music.decode import decode_mono
from today_feeling.music.melspec import SAMPLE_RATE, log_mel, patches

logger = logging.getLogger(__name__)

MUSICNN = PinnedWheel("musicnn", "0.1.0", "f38a4890c648c1ddbb141c5d96d2b0a8cfcd36746002d896989f7b88beb65cfa")
CHECKPOINT_MEMBERS = {
    "index": ("musicnn/MSD_musicnn/.index",
              "87f3e0f3550c8d3bafc840374003e5c8af5eeb5ecf6add61af09a7822d3282c8"),
    "data-00000-of-00001": ("musicnn/MSD_musicnn/.data-00000-of-00001",
                            "8579734ee6388f799ed0def4bbd0d1fdcbeaf213ef2a9dc860917bd76a303de6"),
}


def load_checkpoint(folder: Path) -> Checkpoint:
    """The MSD checkpoint extracted from the pinned wheel into ``folder``."""
    wheel = fetch_wheel(MUSICNN)
    for suffix, (member, sha) in CHECKPOINT_MEMBERS.items():
        extract_member(wheel, member, folder / f"msd.{suffix}", sha)
    return Checkpoint.read(folder / "msd")


def audio_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in {".mp3", ".flac", ".ogg", ".wav"})
    if not files:
        raise SystemExit(f"no audio under {folder}")
    return files


def audio_patches(files: list[Path], per_file: int) -> np.ndarray:
    """Log-mel patches spread over each file."""
    found = [patches(log_mel(decode_mono(f, SAMPLE_RATE)), per_file) for f in files]
    return np.concatenate(found).astype(np.float32)


def embedder(model: keras.Model) -> keras.Model:
    return keras.Model(model.input, model.output["embedding"], name="musicnn_msd_embedding")


def to_tflite(model: keras.Model, calibration: np.ndarray | None) -> bytes:
    """Float TFLite, or full-integer int8 inside (float in/out) when calibration is given."""
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if calibration is not None:
        def representative() -> Iterator[list[np.ndarray]]:
            for patch in calibration:
                yield [patch[None]]
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return bytes(converter.convert())


def run_tflite(model: bytes, batch: np.ndarray) -> np.ndarray:
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_content=model, num_threads=1)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    rows = []
    for patch in batch:
        it.set_tensor(inp["index"], patch[None].astype(np.float32))
        it.invoke()
        rows.append(it.get_tensor(out["index"])[0].copy())
    return np.stack(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calibration", type=Path, required=True, help="folder of audio for int8 ranges")
    parser.add_argument("--out", type=Path, default=Path("models/music"))
    parser.add_argument("--int8", action="store_true",
                        help="also write a full-integer model (tried: it does not hold "
                             "accuracy, see the card)")
    parser.add_argument("--files", type=int, default=200, help="int8 calibration files (sorted by path)")
    parser.add_argument("--check-files", type=int, default=40,
                        help="held-back files the report compares on")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        model = embedder(build(load_checkpoint(Path(tmp))))
    files = audio_files(args.calibration)
    # Even-numbered files calibrate, odd-numbered ones check: both span every folder (quadrant).
    calibration = audio_patches(files[0::2][: args.files], 2)
    held = audio_patches(files[1::2][: args.check_files], 2)
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {"calibration_patches": len(calibration), "check_patches": len(held)}
    reference = model(held, training=False).numpy()
    variants: list[tuple[str, np.ndarray | None]] = [("float", None)]
    if args.int8:
        variants.append(("int8", calibration))
    for name, data in variants:
        blob = to_tflite(model, data)
        (args.out / f"musicnn_msd_{name}.tflite").write_bytes(blob)
        got = run_tflite(blob, held)
        cos = np.sum(got * reference, 1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(reference, axis=1))
        report[name] = {"bytes": len(blob), "max_abs_diff": float(np.abs(got - reference).max()),
                        "median_cosine": float(np.median(cos)), "min_cosine": float(cos.min())}
        logger.info("%s: %s", name, report[name])
    (args.out / "convert_report.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
