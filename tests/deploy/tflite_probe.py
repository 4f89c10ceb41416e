"""Run inside the unit's sandbox: W^X must be enforced and the inference stack must still work.

Prints one line per check; exits non-zero on the first failure.
"""

from __future__ import annotations

import ctypes
import mmap
import sys
from pathlib import Path


def wx_mapping_refused() -> bool:
    """MemoryDenyWriteExecute is active when a writable+executable anonymous mapping fails."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    prot = mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC
    addr = libc.mmap(None, 4096, prot, mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, -1, 0)
    return addr in (None, ctypes.c_void_p(-1).value)


def invoke_all(models_dir: Path, threads: int) -> None:
    """Load every model with XNNPACK on several threads and run it once on zeros."""
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    for path in sorted(models_dir.glob("*.tflite")):
        interpreter = Interpreter(model_path=str(path), num_threads=threads)
        interpreter.allocate_tensors()
        detail = interpreter.get_input_details()[0]
        interpreter.set_tensor(detail["index"], np.zeros(detail["shape"], dtype=detail["dtype"]))
        interpreter.invoke()
        print(f"invoked {path.name}")


def opencv_roundtrip() -> None:
    """JPEG encode/decode, colour conversion and resize: the capture path's OpenCV calls."""
    import cv2
    import numpy as np

    image = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    ok, jpeg = cv2.imencode(".jpg", image)
    assert ok
    decoded = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
    assert decoded is not None
    small = cv2.resize(cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB), (128, 128))
    print(f"opencv {cv2.__version__} {small.shape}")


def main() -> int:
    if not wx_mapping_refused():
        print("W^X NOT enforced")
        return 2
    print("W^X enforced")
    opencv_roundtrip()
    invoke_all(Path(sys.argv[1]), threads=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
