"""Expose an emotion model's pooled features as a second output of the same int8 graph.

Why: a per-person adapter (issue 18) needs an embedding of each face, and the best one we have
is the vector the last dense layer reads (v5: the two members' pooled features, 384 int8
values). Editing the flatbuffer's output list, rather than re-exporting, keeps every weight and
every quantization parameter, so the logits stay bit-identical: with no profile the product
behaves exactly as before. The script checks that on random int8 inputs before it writes anything.

The adapter compares embeddings by cosine after subtracting the population's mean embedding
(without it every ReLU feature vector points the same way and cosines say little). That mean,
over FER2013 Training faces and their mirror images, travels inside the model file as TFLite
metadata (``today_feeling.embedding_centre``, float32), so one sha256-pinned file carries the
whole contract and the EdgeTPU build can read it from its CPU twin.

    git show 6f9a1f5:models/emotion/today_feeling_emotion_v5_int8.tflite > /tmp/v5.tflite
    PYTHONPATH=. python -m models.emotion.add_embedding_output /tmp/v5.tflite \
        models/emotion/today_feeling_emotion_v5_int8.tflite
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import tempfile
from pathlib import Path

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.interpreter import Interpreter

logger = logging.getLogger(__name__)

#: The op whose input is the embedding: the classifier's one dense layer.
HEAD_OP = "FULLY_CONNECTED"
#: Metadata name the runtime reads the centre from (today_feeling.inference.emotion).
CENTRE_METADATA = "today_feeling.embedding_centre"
#: FER2013 Training faces averaged into the centre (each also mirrored, as the daemon does).
CENTRE_FACES = 3000


def _op_name(model: schema.ModelT, op: schema.OperatorT) -> str:
    code = model.operatorCodes[op.opcodeIndex]
    builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
    return next(k for k, v in vars(schema.BuiltinOperator).items() if v == builtin)


def embedding_tensor(model: schema.ModelT) -> int:
    """Index of the tensor the last dense layer reads."""
    graph = model.subgraphs[0]
    heads = [op for op in graph.operators if _op_name(model, op) == HEAD_OP]
    if not heads:
        raise ValueError(f"no {HEAD_OP} op: cannot tell where the embedding is")
    return int(heads[-1].inputs[0])


def with_embedding_output(data: bytes, centre: np.ndarray | None = None) -> bytes:
    """The same model with the embedding appended to the outputs (logits stay output 0)."""
    model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    graph = model.subgraphs[0]
    index = embedding_tensor(model)
    outputs = [int(v) for v in graph.outputs]
    if index in outputs:
        raise ValueError("the embedding is already an output")
    graph.outputs = np.asarray([*outputs, index], dtype=np.int32)
    tensor = graph.tensors[index]
    tensor.name = b"embedding"
    for signature in model.signatureDefs or []:
        entry = schema.TensorMapT()
        entry.name, entry.tensorIndex = b"embedding", index
        signature.outputs.append(entry)
    if centre is not None:
        _add_metadata(model, CENTRE_METADATA, np.asarray(centre, dtype="<f4").tobytes())
    builder = flatbuffers.Builder(len(data) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _add_metadata(model: schema.ModelT, name: str, payload: bytes) -> None:
    buffer = schema.BufferT()
    buffer.data = np.frombuffer(payload, dtype=np.uint8)
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name, entry.buffer = name.encode(), len(model.buffers) - 1
    model.metadata = [*(model.metadata or []), entry]


def population_centre(path: Path, data: Path, count: int = CENTRE_FACES) -> np.ndarray:
    """Mean embedding of ``count`` FER2013 Training faces and their mirrors (seeded choice)."""
    with np.load(data) as fer:
        x = fer["x_train"]
        faces = x[np.random.default_rng(0).choice(len(x), count, replace=False)]
    model = schema.ModelT.InitFromPackedBuf(bytearray(path.read_bytes()), 0)
    index = embedding_tensor(model)
    it = Interpreter(str(path), experimental_preserve_all_tensors=True)
    it.allocate_tensors()
    inp = it.get_input_details()[0]
    scale, zero = inp["quantization"]
    detail = next(d for d in it.get_tensor_details() if d["index"] == index)
    e_scale, e_zero = detail["quantization"]
    total = np.zeros(int(detail["shape"][-1]), dtype=np.float64)
    for face in faces:
        for image in (face, face[:, ::-1]):
            q = np.clip(np.round(image / 255.0 / scale + zero), -128, 127).astype(np.int8)
            it.set_tensor(inp["index"], q.reshape(inp["shape"]))
            it.invoke()
            total += (it.get_tensor(index).astype(np.float64).ravel() - e_zero) * e_scale
    return (total / (2 * count)).astype(np.float32)


def _run(path: Path, faces: np.ndarray) -> list[np.ndarray]:
    it = Interpreter(str(path))
    it.allocate_tensors()
    inp = it.get_input_details()[0]
    outs = []
    for face in faces:
        it.set_tensor(inp["index"], face.reshape(inp["shape"]))
        it.invoke()
        outs.append(np.stack([it.get_tensor(d["index"]).copy().ravel()
                              for d in it.get_output_details()[:1]]))
    return outs


def check_logits_identical(before: Path, after: Path, faces: np.ndarray) -> None:
    """Raise unless output 0 is bit-identical on every face."""
    old, new = _run(before, faces), _run(after, faces)
    bad = sum(not np.array_equal(a, b) for a, b in zip(old, new, strict=True))
    if bad:
        raise ValueError(f"logits differ on {bad} of {len(faces)} faces")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", type=Path, help="int8 .tflite with the logits as its only output")
    parser.add_argument("out", type=Path, help="where to write the two-output model")
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets/fer2013_train_public.npz"))
    parser.add_argument("--faces", type=int, default=500, help="random faces for the identity check")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = args.model.read_bytes()
    centre = population_centre(args.model, args.data)
    rewritten = with_embedding_output(data, centre)
    rng = np.random.default_rng(18)
    # Random int8 images exercise every weight; the check is about bits, not accuracy.
    probe = Interpreter(str(args.model))
    shape = tuple(int(v) for v in probe.get_input_details()[0]["shape"][1:])
    faces = rng.integers(-128, 128, size=(args.faces, *shape), dtype=np.int8)
    with tempfile.TemporaryDirectory() as tmp:
        candidate = Path(tmp) / args.model.name
        candidate.write_bytes(rewritten)
        check_logits_identical(args.model, candidate, faces)
    args.out.write_bytes(rewritten)
    logger.info("%s: embedding output and centre added, logits bit-identical on %d inputs, sha256 %s",
                args.out, args.faces, hashlib.sha256(rewritten).hexdigest())


if __name__ == "__main__":
    main()
