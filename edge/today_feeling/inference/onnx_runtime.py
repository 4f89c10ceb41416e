"""ONNX Runtime behind the same interpreter port as LiteRT: TensorRT or CUDA on a Jetson, any CPU.

The detectors and the emotion model run unchanged on top (they only see ``Interpreter``).
Execution providers are tried in the order TensorRT (fp16, engines cached beside the models, as
building one takes minutes) -> CUDA -> CPU; ``auto`` takes the first this onnxruntime build
has, an explicit ``tensorrt`` / ``cuda`` fails with what to check when it is not there.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from today_feeling.errors import AcceleratorError, ModelError

logger = logging.getLogger(__name__)

PROVIDERS = {"tensorrt": "TensorrtExecutionProvider", "cuda": "CUDAExecutionProvider",
             "cpu": "CPUExecutionProvider"}
#: Set by models/onnx/export_onnx.py: int8 inputs/outputs' [scale, zero point] by tensor name.
QUANTIZATION_KEY = "today_feeling.io_quantization"
GPU_HELP = (
    "onnxruntime-gpu for a Jetson comes from NVIDIA's Jetson wheel index (it is not on PyPI) and "
    "must match JetPack (JetPack 6: CUDA 12, TensorRT 8.6 or newer); check that "
    "python -c 'import onnxruntime; print(onnxruntime.get_available_providers())' lists it, "
    "or set inference.accelerator = \"auto\" or \"cpu\""
)
_DTYPES = {"tensor(float)": np.float32, "tensor(int8)": np.int8, "tensor(uint8)": np.uint8}


def _onnxruntime() -> Any:
    try:
        import onnxruntime
    except ImportError as err:
        raise ModelError("inference.runtime is 'onnxruntime' but it is not installed: pip install "
                         "onnxruntime (onnxruntime-gpu from NVIDIA's index on a Jetson)") from err
    return onnxruntime


def available_providers() -> list[str]:
    """This machine's onnxruntime execution providers (empty when onnxruntime is absent)."""
    try:
        return list(_onnxruntime().get_available_providers())
    except ModelError:
        return []


def has_gpu_provider() -> bool:
    return any(PROVIDERS[name] in available_providers() for name in ("tensorrt", "cuda"))


class OnnxInterpreter:
    """An ``InferenceSession`` presented as the TFLite ``Interpreter`` subset we use."""

    def __init__(self, session: Any) -> None:
        self._session = session
        meta = session.get_modelmeta().custom_metadata_map
        quantization = {k: (float(v[0]), int(v[1]))
                        for k, v in json.loads(meta.get(QUANTIZATION_KEY, "{}")).items()}
        for arg in [*session.get_inputs(), *session.get_outputs()]:
            if arg.type != "tensor(float)" and arg.name not in quantization:
                raise ModelError(f"ONNX tensor {arg.name!r} is {arg.type} without its scale in the "
                                 f"model's {QUANTIZATION_KEY} metadata (see models/onnx/export_onnx.py)")
        self._inputs = [self._detail(i, arg, quantization) for i, arg in enumerate(session.get_inputs())]
        first = len(self._inputs)
        self._outputs = [self._detail(first + i, arg, quantization)
                         for i, arg in enumerate(session.get_outputs())]
        self._feed: dict[str, npt.NDArray[Any]] = {}
        self._results: list[npt.NDArray[Any]] = []

    @staticmethod
    def _detail(index: int, arg: Any, quantization: dict[str, tuple[float, int]]) -> dict[str, Any]:
        shape = [d if isinstance(d, int) else 1 for d in arg.shape]  # a named batch dimension is 1
        return {"index": index, "name": arg.name, "shape": np.array(shape, np.int32),
                "dtype": _DTYPES[arg.type], "quantization": quantization.get(arg.name, (0.0, 0))}

    def allocate_tensors(self) -> None:
        """Nothing to do: the session owns its memory."""

    def get_input_details(self) -> list[dict[str, Any]]:
        return self._inputs

    def get_output_details(self) -> list[dict[str, Any]]:
        return self._outputs

    def set_tensor(self, index: int, value: npt.NDArray[Any]) -> None:
        self._feed[self._inputs[index]["name"]] = value

    def invoke(self) -> None:
        self._results = self._session.run(None, self._feed)

    def get_tensor(self, index: int) -> npt.NDArray[Any]:
        return np.asarray(self._results[index - len(self._inputs)])


def load_onnx(path: Path, accelerator: str, threads: int,
              engine_cache: Path) -> tuple[OnnxInterpreter, str, str]:
    """(interpreter, device, note): the first provider the policy allows that this build has."""
    ort = _onnxruntime()
    if not path.is_file():
        raise ModelError(f"ONNX model {path} is missing: run 'today-feeling models fetch'")
    available = ort.get_available_providers()
    if accelerator in ("tensorrt", "cuda") and PROVIDERS[accelerator] not in available:
        raise AcceleratorError(f"inference.accelerator is '{accelerator}' but this onnxruntime has "
                               f"only {', '.join(available)}. {GPU_HELP}")
    order = {"tensorrt": ["tensorrt", "cuda", "cpu"], "cuda": ["cuda", "cpu"],
             "auto": ["tensorrt", "cuda", "cpu"]}.get(accelerator, ["cpu"])
    chosen = [name for name in order if PROVIDERS[name] in available]
    providers: list[Any] = []
    for name in chosen:
        if name == "tensorrt":
            try:
                engine_cache.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise ModelError(f"cannot create the TensorRT engine cache {engine_cache}: {err}") from err
            providers.append((PROVIDERS[name], {"trt_fp16_enable": True, "trt_engine_cache_enable": True,
                                                "trt_engine_cache_path": str(engine_cache)}))
        else:
            providers.append(PROVIDERS[name])
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    try:
        session = ort.InferenceSession(str(path), sess_options=options, providers=providers)
    except Exception as err:  # onnxruntime raises its own classes (Fail, InvalidGraph, EP errors)
        if accelerator in ("tensorrt", "cuda"):
            raise AcceleratorError(f"{path.name} does not load on {accelerator}: {err}. {GPU_HELP}") from err
        raise ModelError(f"{path} is not a loadable ONNX model here: {err}") from err
    used = session.get_providers()[0]
    device = next(name for name, provider in PROVIDERS.items() if provider == used)
    skipped = [name for name in order if name not in chosen]
    note = f"onnxruntime {used}" + (f"; not in this build: {', '.join(skipped)}" if skipped else "")
    return OnnxInterpreter(session), device, note
