"""Each model loads on the EdgeTPU when one is attached, falls back to the CPU otherwise, and
runs within its share of the frame budget.

Budgets follow from the configured analysis rate: one frame may take 1000 / pipeline.max_fps
ms, of which the face detector may use 40 %, landmarks 20 % and one emotion classification
10 % (up to detection.max_faces faces share the rest). On the EdgeTPU each budget is halved.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
import pytest

from today_feeling.config.settings import Settings
from today_feeling.errors import AcceleratorError
from today_feeling.inference.runtime import LoadedModel, make_interpreter
from today_feeling.model_store.manifest import MANIFEST_NAME, ModelEntry, load_manifest

SHARE = {"face_detector": 0.4, "face_landmark": 0.2, "emotion": 0.1}
WARMUP_RUNS = 3
TIMED_RUNS = 30
CORAL_USB_IDS = {("1a6e", "089a"), ("18d1", "9302")}
NO_SUCH_TPU = "usb:99"

# The running daemon holds the Coral and competes for the CPU.
pytestmark = pytest.mark.usefixtures("service_stopped")


def coral_attached() -> bool:
    """A USB Accelerator (before or after firmware load) or a PCIe/M.2 module."""
    if any(Path("/dev").glob("apex_*")):
        return True
    for dev in Path("/sys/bus/usb/devices").glob("*"):
        try:
            ids = ((dev / "idVendor").read_text().strip(), (dev / "idProduct").read_text().strip())
        except OSError:
            continue
        if ids in CORAL_USB_IDS:
            return True
    return False


def entries(settings: Settings) -> list[ModelEntry]:
    manifest = Path(settings.models.dir) / MANIFEST_NAME
    if not manifest.is_file():
        pytest.skip(f"{manifest} is missing: provision the models with ansible/site.yml")
    return list(load_manifest(manifest).values())


def median_ms(model: LoadedModel) -> float:
    interpreter = model.interpreter
    detail = interpreter.get_input_details()[0]
    interpreter.set_tensor(detail["index"], np.zeros(detail["shape"], dtype=detail["dtype"]))
    for _ in range(WARMUP_RUNS):
        interpreter.invoke()
    times = []
    for _ in range(TIMED_RUNS):
        start = time.perf_counter()
        interpreter.invoke()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def budget_ms(settings: Settings, entry: ModelEntry, accelerator: str) -> float:
    frame_ms = 1000.0 / settings.pipeline.max_fps
    share = SHARE.get(entry.kind, 0.2)
    return frame_ms * share * (0.5 if accelerator == "edgetpu" else 1.0)


def load(settings: Settings, entry: ModelEntry, accelerator: str, device: str = "") -> LoadedModel:
    models = Path(settings.models.dir)
    edgetpu = models / entry.edgetpu_file if entry.edgetpu_file else None
    return make_interpreter(models / entry.file, edgetpu, accelerator, settings.inference.threads,
                            device)


def test_edgetpu_delegate_loads_each_compiled_model_within_budget(settings: Settings) -> None:
    if not coral_attached():
        pytest.skip("no Coral attached (no /dev/apex_*, no USB 1a6e:089a or 18d1:9302)")
    compiled = [e for e in entries(settings)
                if e.edgetpu_file and (Path(settings.models.dir) / e.edgetpu_file).is_file()]
    if not compiled:
        pytest.skip("no *_edgetpu.tflite models in the models folder")
    for entry in compiled:
        model = load(settings, entry, "edgetpu", settings.inference.edgetpu_device)
        assert model.accelerator == "edgetpu", model.note
        took = median_ms(model)
        assert took <= budget_ms(settings, entry, "edgetpu"), f"{entry.key}: {took:.1f} ms"


def test_cpu_fallback_runs_every_model_within_budget(settings: Settings) -> None:
    """'auto' with no usable TPU (none attached, or a device name that does not exist)."""
    device = NO_SUCH_TPU if coral_attached() else ""
    for entry in entries(settings):
        model = load(settings, entry, "auto", device)
        assert model.accelerator == "cpu", model.note
        took = median_ms(model)
        assert took <= budget_ms(settings, entry, "cpu"), f"{entry.key}: {took:.1f} ms on the CPU"


def test_explicit_edgetpu_without_a_tpu_says_what_to_check(settings: Settings) -> None:
    compiled = [e for e in entries(settings) if e.edgetpu_file
                and (Path(settings.models.dir) / e.edgetpu_file).is_file()]
    if not compiled:
        pytest.skip("no *_edgetpu.tflite models in the models folder")
    with pytest.raises(AcceleratorError, match="EdgeTPU"):
        load(settings, compiled[0], "edgetpu", NO_SUCH_TPU)
