"""Re-run a float TFLite graph as TensorFlow ops, so the converter can quantise it afresh.

MediaPipe ships BlazeFace as float16 weights behind DEQUANTIZE ops; TFLite cannot re-quantise
a ``.tflite``. The graph is small and uses a handful of builtin ops, so it is walked operator by
operator from the flatbuffer (weights, strides, paddings, activations read from it) and each op
is replayed with the TensorFlow op of the same definition. Nothing is retrained: the float
function is the same, which ``check_equal`` asserts on real inputs before anything is exported.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf
from ai_edge_litert import schema_py_generated as schema

_OP_NAMES = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
_NUMPY_TYPES = {schema.TensorType.FLOAT32: np.float32, schema.TensorType.FLOAT16: np.float16,
                schema.TensorType.INT32: np.int32, schema.TensorType.INT64: np.int64}
_PADDING = {schema.Padding.SAME: "SAME", schema.Padding.VALID: "VALID"}


def load_model(path: Path) -> schema.ModelT:
    buf = path.read_bytes()
    return schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(buf, 0))


def _op_name(model: schema.ModelT, op: schema.OperatorT) -> str:
    code = model.operatorCodes[op.opcodeIndex]
    return str(_OP_NAMES[max(code.builtinCode, code.deprecatedBuiltinCode)])


def _constant(model: schema.ModelT, index: int) -> np.ndarray | None:
    tensor = model.subgraphs[0].tensors[index]
    data = model.buffers[tensor.buffer].data
    if data is None or len(data) == 0:
        return None
    values = np.frombuffer(bytes(data), dtype=_NUMPY_TYPES[tensor.type])
    return values.reshape([int(d) for d in tensor.shape])


def _activation(kind: int, x: tf.Tensor) -> tf.Tensor:
    if kind == schema.ActivationFunctionType.NONE:
        return x
    if kind == schema.ActivationFunctionType.RELU:
        return tf.nn.relu(x)
    if kind == schema.ActivationFunctionType.RELU6:
        return tf.nn.relu6(x)
    raise ValueError(f"fused activation {kind} is not handled")


def _conv(x: tf.Tensor, w: np.ndarray, b: np.ndarray, o: Any) -> tf.Tensor:
    y = tf.nn.conv2d(x, w.transpose(1, 2, 3, 0), [1, o.strideH, o.strideW, 1], _PADDING[o.padding],
                     dilations=[1, o.dilationHFactor, o.dilationWFactor, 1])
    return _activation(o.fusedActivationFunction, tf.nn.bias_add(y, b))


def _depthwise(x: tf.Tensor, w: np.ndarray, b: np.ndarray, o: Any) -> tf.Tensor:
    channels = int(x.shape[-1])
    kernel = w.reshape(w.shape[1], w.shape[2], channels, w.shape[3] // channels)
    y = tf.nn.depthwise_conv2d(x, kernel, [1, o.strideH, o.strideW, 1], _PADDING[o.padding],
                               dilations=[o.dilationHFactor, o.dilationWFactor])
    return _activation(o.fusedActivationFunction, tf.nn.bias_add(y, b))


class GraphFunction:
    """The float graph of one ``.tflite`` as a callable on NHWC float32 tensors."""

    def __init__(self, path: Path) -> None:
        self.model = load_model(path)
        graph = self.model.subgraphs[0]
        self.input_index = int(graph.inputs[0])
        self.output_indices = [int(i) for i in graph.outputs]
        self.output_names = [graph.tensors[i].name.decode() for i in self.output_indices]
        self.input_shape = [int(d) for d in graph.tensors[self.input_index].shape]

    def __call__(self, x: tf.Tensor) -> list[tf.Tensor]:
        return [parts[0] if len(parts) == 1 else tf.concat(parts, axis=1) for parts in self.parts(x)]

    def parts(self, x: tf.Tensor) -> list[list[tf.Tensor]]:
        """Each output as the tensors its final CONCATENATION joins (itself if it has none).

        An int8 output has one scale: joined, the anchor layers of small and large faces would
        share the coarse one that large boxes need.
        """
        values: dict[int, Any] = {self.input_index: x}
        joined: dict[int, list[int]] = {}
        for op in self.model.subgraphs[0].operators:
            name = _op_name(self.model, op)
            args = [self._value(values, int(i)) for i in op.inputs]
            values[int(op.outputs[0])] = self._run(name, args, op.builtinOptions)
            if name == "CONCATENATION" and int(op.outputs[0]) in self.output_indices:
                joined[int(op.outputs[0])] = [int(i) for i in op.inputs]
        return [[values[i] for i in joined.get(out, [out])] for out in self.output_indices]

    def _value(self, values: dict[int, Any], index: int) -> Any:
        if index not in values:
            constant = _constant(self.model, index)
            if constant is None:
                raise ValueError(f"tensor {index} is neither computed nor constant")
            values[index] = constant
        return values[index]

    def _run(self, name: str, args: list[Any], o: Any) -> Any:
        handlers: dict[str, Callable[[], Any]] = {
            "DEQUANTIZE": lambda: np.asarray(args[0], np.float32),
            "CONV_2D": lambda: _conv(args[0], args[1], args[2], o),
            "DEPTHWISE_CONV_2D": lambda: _depthwise(args[0], args[1], args[2], o),
            "RELU": lambda: tf.nn.relu(args[0]),
            "ADD": lambda: _activation(o.fusedActivationFunction, args[0] + args[1]),
            "PAD": lambda: tf.pad(args[0], np.asarray(args[1], np.int32)),
            "RESHAPE": lambda: tf.reshape(args[0], [int(d) for d in (o.newShape if o is not None and
                                                                      o.newShape is not None else args[1])]),
            "MAX_POOL_2D": lambda: tf.nn.max_pool2d(args[0], [o.filterHeight, o.filterWidth],
                                                    [o.strideH, o.strideW], _PADDING[o.padding]),
            "CONCATENATION": lambda: _activation(o.fusedActivationFunction,
                                                 tf.concat(list(args), axis=o.axis)),
            "RESIZE_BILINEAR": lambda: tf.raw_ops.ResizeBilinear(
                images=args[0], size=np.asarray(args[1], np.int32), align_corners=o.alignCorners,
                half_pixel_centers=o.halfPixelCenters),
        }
        if name not in handlers:
            raise ValueError(f"op {name} is not handled by this translator")
        return handlers[name]()
