"""Static EdgeTPU compatibility check for a ``.tflite`` file, without TensorFlow.

Why static: ``edgetpu_compiler`` exists only on x86-64 Debian with Coral's apt repository, and
it silently leaves everything after the first unsupported op on the CPU. Reading the flatbuffer
ourselves lets CI reject a model that would fall off the TPU before anyone owns a Coral.

The rules follow Coral's "Supported operations" table and model requirements: every op in the
supported set, tensors quantized to 8 bits (int32 only for biases and shape operands), static
shapes (no -1 in any shape signature) and exactly one subgraph.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ai_edge_litert import schema_py_generated as schema

logger = logging.getLogger(__name__)

#: Builtin ops the EdgeTPU compiler can map (Coral's supported-operations table).
EDGETPU_OPS: frozenset[str] = frozenset({
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "EXPAND_DIMS",
    "FULLY_CONNECTED", "L2_NORMALIZATION", "LOGISTIC", "LSTM", "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "MAXIMUM", "MAX_POOL_2D", "MEAN", "MINIMUM", "MUL", "PACK", "PAD", "PRELU", "QUANTIZE",
    "REDUCE_MAX", "REDUCE_MIN", "RELU", "RELU6", "RELU_N1_TO_1", "RESHAPE", "RESIZE_BILINEAR",
    "RESIZE_NEAREST_NEIGHBOR", "RSQRT", "SLICE", "SOFTMAX", "SPACE_TO_DEPTH", "SPLIT", "SQUEEZE",
    "STRIDED_SLICE", "SUB", "SUM", "SQUARED_DIFFERENCE", "TANH", "TRANSPOSE", "TRANSPOSE_CONV",
})

_OP_NAMES = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
_TYPE_NAMES = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
_QUANT_TYPES = frozenset({"INT8", "UINT8"})
_AUX_TYPES = frozenset({"INT32"})  # biases and shape/axis operands


@dataclass(frozen=True)
class CompatReport:
    """Result of :func:`check_model`; ``problems`` is empty when the model can map fully."""

    path: str
    ops: tuple[str, ...]
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems


class EdgeTpuIncompatibleError(ValueError):
    """Raised by :func:`require_compatible`; the message lists every problem found."""


def _op_name(code: schema.OperatorCode) -> str:
    # Newer files keep codes > 127 in builtin_code; older ones only in the deprecated byte.
    num = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
    if num == schema.BuiltinOperator.CUSTOM:
        custom = code.CustomCode()
        return f"CUSTOM:{custom.decode() if custom else '?'}"
    return str(_OP_NAMES.get(num, f"BUILTIN_{num}"))


def _tensor_problems(graph: schema.SubGraph) -> list[str]:
    problems: list[str] = []
    unquantized: dict[str, list[str]] = {}
    dynamic: list[str] = []
    for i in range(graph.TensorsLength()):
        t = graph.Tensors(i)
        name = (t.Name() or b"?").decode(errors="replace")
        sig = t.ShapeSignatureAsNumpy() if t.ShapeSignatureLength() else t.ShapeAsNumpy()
        if not isinstance(sig, int) and any(int(d) < 0 for d in sig):
            dynamic.append(f"'{name}' {[int(d) for d in sig]}")
        dtype = _TYPE_NAMES.get(t.Type(), str(t.Type()))
        if dtype not in _QUANT_TYPES | _AUX_TYPES:
            unquantized.setdefault(dtype, []).append(name)
    if dynamic:
        problems.append(f"{len(dynamic)} tensors with dynamic shapes (e.g. {', '.join(dynamic[:2])})")
    for dtype, names in sorted(unquantized.items()):
        shown = ", ".join(f"'{n}'" for n in names[:3])
        problems.append(f"{len(names)} {dtype} tensors, not 8-bit quantized (e.g. {shown})")
    return problems


def check_buffer(data: bytes, path: str = "<buffer>") -> CompatReport:
    """Check a model held in memory (see :func:`check_model`)."""
    if len(data) < 8 or data[4:8] != b"TFL3":
        return CompatReport(path, (), ("not a TFLite flatbuffer (missing TFL3 identifier)",))
    model = schema.Model.GetRootAs(data, 0)
    codes = [_op_name(model.OperatorCodes(i)) for i in range(model.OperatorCodesLength())]
    problems: list[str] = []
    if model.SubgraphsLength() != 1:
        problems.append(f"{model.SubgraphsLength()} subgraphs; the EdgeTPU needs exactly one")
    ops: list[str] = []
    for g in range(model.SubgraphsLength()):
        graph = model.Subgraphs(g)
        ops.extend(codes[graph.Operators(i).OpcodeIndex()] for i in range(graph.OperatorsLength()))
        problems.extend(_tensor_problems(graph))
    for name in sorted(set(ops) - EDGETPU_OPS):
        problems.append(f"op {name} is not supported by the EdgeTPU")
    return CompatReport(path, tuple(ops), tuple(problems))


def check_model(path: str | Path) -> CompatReport:
    """Read ``path`` and list every reason the EdgeTPU compiler could not map it fully."""
    report = check_buffer(Path(path).read_bytes(), str(path))
    logger.info("edgetpu check path=%s ops=%d problems=%d", path, len(report.ops), len(report.problems))
    return report


def require_compatible(path: str | Path) -> CompatReport:
    """Like :func:`check_model` but raise :class:`EdgeTpuIncompatibleError` on any problem."""
    report = check_model(path)
    if not report.ok:
        detail = "; ".join(report.problems)
        raise EdgeTpuIncompatibleError(f"{path} cannot run fully on an EdgeTPU: {detail}")
    return report


def print_reports(paths: list[Path]) -> int:
    """Print one verdict per file and its problems; 0 when every file can map fully, else 1.

    Shared by ``today-feeling models check-edgetpu`` and this module's ``-m`` entry point
    (models/edgetpu/compile.sh, which may run a Python without the console script).
    """
    status = 0
    for path in paths:
        report = check_model(path)
        print(f"{path}: {'OK' if report.ok else 'INCOMPATIBLE'} ({len(report.ops)} ops)")
        for problem in report.problems:
            print(f"  - {problem}")
        status |= 0 if report.ok else 1
    return status


def main(argv: list[str] | None = None) -> int:
    """``python -m today_feeling.inference.edgetpu_compat MODEL.tflite...``: exit 1 on any problem."""
    parser = argparse.ArgumentParser(description="Static EdgeTPU compatibility check for .tflite files")
    parser.add_argument("models", nargs="+", type=Path)
    return print_reports(parser.parse_args(argv).models)


if __name__ == "__main__":
    sys.exit(main())
