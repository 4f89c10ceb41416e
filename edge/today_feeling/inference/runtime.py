"""Interpreter factory: EdgeTPU when asked for or present, else the CPU with XNNPACK.

``ai-edge-litert`` is preferred (it accelerates int8 on the CPU); ``tflite-runtime``
is accepted where it is what the device has (same API, older Pi images).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from today_feeling.errors import AcceleratorError, ModelError

logger = logging.getLogger(__name__)

EDGETPU_LIBRARY = "libedgetpu.so.1"
EDGETPU_HELP = (
    "Check that the Coral is attached (lsusb shows 1a6e:089a before first use, 18d1:9302 after), "
    "that libedgetpu1-std is installed from Coral's apt repository, that the USB Accelerator is "
    "on a USB3 port with enough power (a powered hub on a Pi), the cable is a data cable, and "
    "for the PCIe/M.2 module that /dev/apex_0 exists (gasket-dkms). Or set "
    "inference.accelerator = \"cpu\"."
)


class Interpreter(Protocol):
    """The subset of the TFLite Interpreter API we use (satisfied by both runtimes)."""

    def allocate_tensors(self) -> None: ...
    def get_input_details(self) -> list[dict[str, Any]]: ...
    def get_output_details(self) -> list[dict[str, Any]]: ...
    def set_tensor(self, index: int, value: npt.NDArray[Any]) -> None: ...
    def invoke(self) -> None: ...
    def get_tensor(self, index: int) -> npt.NDArray[Any]: ...


def _runtime_module() -> Any:
    try:
        from ai_edge_litert import interpreter as litert
    except ImportError:
        try:
            from tflite_runtime import interpreter as litert
        except ImportError as err:
            raise ModelError(
                "no TFLite runtime: pip install ai-edge-litert (or tflite-runtime on old systems)"
            ) from err
    return litert


def runtime_name() -> str:
    """Which TFLite runtime package is in use (for logs, bench and doctor)."""
    return str(_runtime_module().__name__.split(".")[0])


@dataclass(frozen=True)
class LoadedModel:
    """An interpreter ready to run, and where it runs."""

    interpreter: Interpreter
    accelerator: str
    """'edgetpu' or 'cpu'."""
    path: Path
    note: str = ""
    """What was tried before settling on ``accelerator`` (for the one start-up log line)."""


def load_edgetpu_delegate(device: str) -> Any:
    """Load libedgetpu for ``device`` ('' = first found, 'usb', 'usb:N', 'pci:N')."""
    import ctypes

    # Probe the library first: the runtime's own failure path leaves a half-built
    # Delegate whose destructor prints a traceback.
    ctypes.CDLL(EDGETPU_LIBRARY)
    options = {"device": device} if device else {}
    return _runtime_module().load_delegate(EDGETPU_LIBRARY, options)


def make_interpreter(
    cpu_path: Path,
    edgetpu_path: Path | None,
    accelerator: str,
    threads: int,
    edgetpu_device: str = "",
) -> LoadedModel:
    """Build an interpreter following the ``inference.accelerator`` policy.

    ``auto`` tries the EdgeTPU only when a compiled model exists, and says in one log
    line what was tried when it falls back; an explicit ``edgetpu`` that fails raises
    :class:`AcceleratorError` with what to check.
    """
    litert = _runtime_module()
    note = "CPU by configuration"
    if accelerator in ("auto", "edgetpu"):
        if edgetpu_path is None or not edgetpu_path.is_file():
            note = "EdgeTPU not tried: no compiled *_edgetpu.tflite for this model"
            if accelerator == "edgetpu":
                raise AcceleratorError(
                    f"accelerator 'edgetpu' needs a compiled model beside {cpu_path.name} "
                    f"(*_edgetpu.tflite, see models/edgetpu/compile.sh); none found"
                )
        else:
            try:
                delegate = load_edgetpu_delegate(edgetpu_device)
                interpreter = litert.Interpreter(
                    model_path=str(edgetpu_path), experimental_delegates=[delegate]
                )
                interpreter.allocate_tensors()
                return LoadedModel(interpreter, "edgetpu", edgetpu_path,
                                   f"EdgeTPU {edgetpu_device or 'first device'}")
            except (ValueError, OSError, RuntimeError) as err:
                if accelerator == "edgetpu":
                    raise AcceleratorError(f"EdgeTPU unavailable ({err}). {EDGETPU_HELP}") from err
                note = f"EdgeTPU tried and not usable ({err})"
    return _cpu_interpreter(litert, cpu_path, threads, note)


def _cpu_interpreter(litert: Any, path: Path, threads: int, note: str) -> LoadedModel:
    if not path.is_file():
        raise ModelError(f"model file {path} is missing: run 'today-feeling models fetch'")
    try:
        interpreter = litert.Interpreter(model_path=str(path), num_threads=threads)
        interpreter.allocate_tensors()
    except ValueError as err:
        raise ModelError(f"{path} is not a loadable TFLite model: {err}") from err
    return LoadedModel(interpreter, "cpu", path, note)


def quantize_input(values: npt.NDArray[np.float32], detail: dict[str, Any]) -> npt.NDArray[Any]:
    """Convert float model input to the tensor's dtype using its own scale and zero point."""
    dtype = detail["dtype"]
    if dtype == np.float32:
        return values.astype(np.float32, copy=False)
    scale, zero_point = detail["quantization"]
    info = np.iinfo(dtype)
    q = np.round(values / scale + zero_point)
    return np.asarray(np.clip(q, info.min, info.max).astype(dtype))


def dequantize_output(values: npt.NDArray[Any], detail: dict[str, Any]) -> npt.NDArray[np.float32]:
    """Convert a (possibly quantized) output tensor to float32."""
    if values.dtype == np.float32:
        return values
    scale, zero_point = detail["quantization"]
    return np.asarray((values.astype(np.float32) - zero_point) * scale, dtype=np.float32)
