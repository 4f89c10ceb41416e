"""Emotion classification of aligned grayscale face crops.

The manifest says how to feed each model (``pixel_scale``/``pixel_offset``, then the
tensor's own quantization) and what it outputs, so the same code runs fer's float
baseline and our int8 model; results are always probabilities over EMOTIONS. A model that
also outputs an embedding (``embedding``, see embedding_meta.py) hands it out beside the
probabilities, for profiles.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from today_feeling.domain.emotions import to_product_probs
from today_feeling.inference.embedding_meta import EMBEDDING_OUTPUT, read_embedding_centre
from today_feeling.inference.runtime import LoadedModel, dequantize_output, quantize_input
from today_feeling.model_store.manifest import ModelEntry


def softmax(logits: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=-1, keepdims=True), dtype=np.float32)


class EmotionClassifier:
    """Runs one emotion model on crops; ``crop_size`` tells the aligner what to produce.

    With ``mirror_average`` each crop is also classified mirrored and the two results averaged:
    faces are near-symmetric but models are not, so the average is a little more accurate and
    better calibrated, for twice the model time.
    """

    def __init__(self, model: LoadedModel, entry: ModelEntry, *, mirror_average: bool = False) -> None:
        if entry.kind != "emotion":
            raise ValueError(f"{entry.key} is a {entry.kind} model, not an emotion model")
        self._interpreter = model.interpreter
        self._entry = entry
        self._input = model.interpreter.get_input_details()[0]
        outputs = model.interpreter.get_output_details()
        self._output = outputs[0]
        self._embedding = next((d for d in outputs[1:] if d["name"] == EMBEDDING_OUTPUT), None)
        self.embedding_centre = read_embedding_centre(model.path) if self._embedding else None
        """Population mean embedding; None when the model has no usable embedding."""
        _, height, width, channels = (int(v) for v in self._input["shape"])
        if height != width:
            raise ValueError(f"{entry.key}: non-square input {width}x{height} is not supported")
        self.crop_size = height
        self._channels = channels
        self.accelerator = model.accelerator
        self.name = entry.key
        self.mirror_average = mirror_average

    @property
    def labels(self) -> tuple[str, ...]:
        return self._entry.labels

    @property
    def embeds(self) -> bool:
        """True when faces come with embeddings (profiles can be used)."""
        return self.embedding_centre is not None

    @property
    def entry(self) -> ModelEntry:
        return self._entry

    def raw_probs(self, crop_gray: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        """Probabilities over the model's own labels (e.g. FER2013's seven)."""
        return self.raw_probs_and_embedding(crop_gray)[0]

    def raw_probs_and_embedding(
        self, crop_gray: npt.NDArray[np.uint8],
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None]:
        """Probabilities over the model's labels and the embedding (None without one)."""
        if crop_gray.shape[:2] != (self.crop_size, self.crop_size):
            crop_gray = np.asarray(cv2.resize(crop_gray, (self.crop_size, self.crop_size),
                                              interpolation=cv2.INTER_AREA), dtype=np.uint8)
        probs, embedding = self._invoke(crop_gray)
        if self.mirror_average:
            mirrored = np.ascontiguousarray(crop_gray[:, ::-1])
            probs_m, embedding_m = self._invoke(mirrored)
            probs = np.asarray((probs + probs_m) / 2, dtype=np.float32)
            if embedding is not None and embedding_m is not None:
                embedding = np.asarray((embedding + embedding_m) / 2, dtype=np.float32)
        return probs, embedding

    def _invoke(self, crop_gray: npt.NDArray[np.uint8],
                ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None]:
        pixels = crop_gray.astype(np.float32).reshape(1, self.crop_size, self.crop_size, 1)
        if self._channels == 3:
            pixels = np.repeat(pixels, 3, axis=3)
        values = pixels * self._entry.pixel_scale + self._entry.pixel_offset
        self._interpreter.set_tensor(self._input["index"], quantize_input(values, self._input))
        self._interpreter.invoke()
        out = dequantize_output(self._interpreter.get_tensor(self._output["index"]), self._output)[0]
        if self._entry.output == "logits":
            out = softmax(out)
        embedding = None
        if self._embedding is not None:
            raw = self._interpreter.get_tensor(self._embedding["index"])
            embedding = dequantize_output(raw, self._embedding)[0]
        return np.asarray(out, dtype=np.float32), embedding

    def classify(self, crop_gray: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        """Probabilities over the product's six EMOTIONS (disgust merged into anger)."""
        return self.classify_with_embedding(crop_gray)[0]

    def classify_with_embedding(
        self, crop_gray: npt.NDArray[np.uint8],
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None]:
        """Probabilities over EMOTIONS and the face's embedding (None when the model has none)."""
        probs, embedding = self.raw_probs_and_embedding(crop_gray)
        return to_product_probs(probs, self._entry.labels), embedding
