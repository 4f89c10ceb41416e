"""Where an emotion model keeps its embedding contract: a named output and a metadata centre.

models/emotion/add_embedding_output.py writes both; reading them here keeps the runtime free
of anything that knows how the file was built. A model without them (fer's, our v1-v4) simply
has no embedding, and profiles are unavailable with it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
from ai_edge_litert import schema_py_generated as schema

EMBEDDING_OUTPUT = "embedding"
CENTRE_METADATA = b"today_feeling.embedding_centre"


def read_embedding_centre(path: Path) -> npt.NDArray[np.float32] | None:
    """The population mean embedding stored in ``path``'s metadata, or None without one."""
    model = schema.ModelT.InitFromPackedBuf(bytearray(path.read_bytes()), 0)
    for entry in model.metadata or []:
        if entry.name == CENTRE_METADATA:
            data = model.buffers[entry.buffer].data
            return None if data is None else np.frombuffer(bytes(data), dtype="<f4").astype(np.float32)
    return None
