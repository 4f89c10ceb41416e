"""On a Jetson: the models run on the GPU provider the config asks for, within their budgets,
and the CSI camera delivers frames through GStreamer.

The device is provisioned with the role's Jetson settings (docs/deploy.md, "Jetson"):
``inference.runtime = "onnxruntime"``, ``inference.accelerator = "tensorrt"`` (or ``"cuda"``),
``capture.source = "gst:nvarguscamerasrc ! ..."``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hil.budgets import budget_ms, median_ms
from today_feeling.config.settings import Settings
from today_feeling.inference.build import loaded_models, resolve_runtime
from today_feeling.inference.onnx_runtime import available_providers

#: TensorRT builds (or loads from the cache) an engine on the first runs.
GPU_WARMUP_RUNS = 20

pytestmark = pytest.mark.usefixtures("service_stopped")


def on_jetson() -> bool:
    """L4T writes its release file; the device tree names the module."""
    if Path("/etc/nv_tegra_release").is_file():
        return True
    try:
        return "jetson" in Path("/proc/device-tree/model").read_text(errors="replace").lower()
    except OSError:
        return False


@pytest.fixture
def jetson_settings(settings: Settings) -> Settings:
    if not on_jetson():
        pytest.skip("not a Jetson (no /etc/nv_tegra_release, device tree does not name one)")
    if resolve_runtime(settings) != "onnxruntime":
        pytest.skip("inference.runtime resolves to LiteRT here: provision with the Jetson settings")
    return settings


def expected_devices(settings: Settings) -> tuple[str, ...]:
    """What the config promises: TensorRT (or its CUDA fallback for an op it lacks), CUDA, or
    either for ``auto`` on a machine that has a GPU provider."""
    wanted = settings.inference.accelerator
    return {"cuda": ("cuda",), "tensorrt": ("tensorrt",)}.get(wanted, ("tensorrt", "cuda"))


def test_gpu_provider_is_the_one_in_use(jetson_settings: Settings) -> None:
    providers = available_providers()
    assert "CUDAExecutionProvider" in providers, (
        f"onnxruntime here has only {providers}: install NVIDIA's onnxruntime-gpu wheel for this "
        "JetPack (today_feeling_jetson_onnxruntime_wheel)")
    for key, _, loaded in loaded_models(jetson_settings):
        assert loaded.accelerator in expected_devices(jetson_settings), f"{key}: {loaded.note}"


def test_each_model_runs_within_its_gpu_budget(jetson_settings: Settings) -> None:
    for key, kind, loaded in loaded_models(jetson_settings):
        took = median_ms(loaded, warmup_runs=GPU_WARMUP_RUNS)
        budget = budget_ms(jetson_settings, kind, loaded.accelerator)
        assert took <= budget, f"{key} on {loaded.accelerator}: {took:.2f} ms > {budget:.2f} ms"


def test_camera_is_read_through_gstreamer(jetson_settings: Settings) -> None:
    """A CSI camera on a Jetson exists only through nvarguscamerasrc: the source must be gst:.

    Its rate and frame size are checked by test_camera.py, which runs on every device.
    """
    source = jetson_settings.capture.source
    if source.startswith("/dev/video") or source.isdigit():
        pytest.skip(f"capture.source {source!r} is a USB camera (V4L2), not a CSI camera")
    assert source.startswith("gst:"), (
        f"capture.source {source!r}: a Jetson CSI camera needs 'gst:nvarguscamerasrc ! nvvidconv ! "
        "video/x-raw,format=BGRx ! videoconvert' (OpenCV from PyPI has no GStreamer)")
