"""Each model loads on the EdgeTPU when one is attached, falls back to the CPU otherwise, and
runs within its share of the frame budget.

Budgets: tests/hil/budgets.py (a share of the frame budget 1000 / pipeline.max_fps ms per
model, halved on the EdgeTPU).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hil.budgets import budget_ms, median_ms
from today_feeling.config.settings import Settings
from today_feeling.errors import AcceleratorError
from today_feeling.inference.runtime import LoadedModel, make_interpreter
from today_feeling.model_store.manifest import MANIFEST_NAME, ModelEntry, load_manifest

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
        assert took <= budget_ms(settings, entry.kind, "edgetpu"), f"{entry.key}: {took:.1f} ms"


def test_cpu_fallback_runs_every_model_within_budget(settings: Settings) -> None:
    """'auto' with no usable TPU (none attached, or a device name that does not exist)."""
    device = NO_SUCH_TPU if coral_attached() else ""
    for entry in entries(settings):
        model = load(settings, entry, "auto", device)
        assert model.accelerator == "cpu", model.note
        took = median_ms(model)
        assert took <= budget_ms(settings, entry.kind, "cpu"), f"{entry.key}: {took:.1f} ms on the CPU"


def test_explicit_edgetpu_without_a_tpu_says_what_to_check(settings: Settings) -> None:
    compiled = [e for e in entries(settings) if e.edgetpu_file
                and (Path(settings.models.dir) / e.edgetpu_file).is_file()]
    if not compiled:
        pytest.skip("no *_edgetpu.tflite models in the models folder")
    with pytest.raises(AcceleratorError, match="EdgeTPU"):
        load(settings, compiled[0], "edgetpu", NO_SUCH_TPU)
