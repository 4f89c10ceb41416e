"""Today Feeling vs the `fer` package on the same video in the same run, one thread each.

    .venv/bin/python benchmarks/compare_fer.py [VIDEO] [--json]

Creates (once) a throwaway venv for fer under ~/.cache/today-feeling/bench-fer-venv with
fer installed without its heavy optional deps (facenet-pytorch/torch are only for MTCNN,
which FER(mtcnn=False) does not use), then runs both pipelines and prints their figures
and the ratios (fps, median ms per frame, peak RSS).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from today_feeling.model_store.registry import default_cache_dir, user_models_dir
from today_feeling_dev.samples import sample_path

HERE = Path(__file__).resolve().parent
FER_REQUIREMENTS = ["tensorflow-cpu==2.21.0", "opencv-python-headless>=4.8,<5", "requests",
                    "pillow", "setuptools<81"]


def fer_venv() -> Path:
    venv = default_cache_dir().parent / "bench-fer-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, *FER_REQUIREMENTS], check=True)
        subprocess.run([*pip, "--no-deps", "fer==25.10.3"], check=True)
    return python


def run_json(cmd: list[str]) -> dict:  # type: ignore[type-arg]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--models-dir", default=str(user_models_dir()))
    args = parser.parse_args()
    video = args.video or str(sample_path("WolfgangLanger_Pexels.mp4"))
    ours = run_json([sys.executable, "-m", "today_feeling", "bench", video, "--json",
                     "--threads", "1", "--models-dir", args.models_dir])
    theirs = run_json([str(fer_venv()), str(HERE / "fer_pipeline.py"), video])
    ratios = {
        "fps": round(ours["fps"] / theirs["fps"], 1),
        "median_ms_per_frame": round(theirs["stages"]["total"]["median_ms"]
                                     / ours["stages"]["total"]["median_ms"], 1),
        "peak_rss": round(theirs["peak_rss_mb"] / ours["peak_rss_mb"], 1),
    }
    report = {"video": video, "today_feeling": ours, "fer": theirs, "speedup": ratios}
    if args.json:
        print(json.dumps(report))
        return
    for name, r in (("today-feeling", ours), ("fer", theirs)):
        total = r["stages"]["total"]
        print(f"{name:14s} {r['fps']:8.1f} fps  median {total['median_ms']:7.2f} ms  "
              f"p95 {total['p95_ms']:7.2f} ms  peak RSS {r['peak_rss_mb']:6.1f} MB  faces {r['faces']}")
    print(f"today-feeling is {ratios['median_ms_per_frame']}x faster per frame (median), "
          f"{ratios['fps']}x the fps, with {ratios['peak_rss']}x less peak memory")


if __name__ == "__main__":
    main()
