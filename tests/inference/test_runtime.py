"""Accelerator policy on a machine without a Coral (the real libedgetpu is absent here)."""

from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest

from today_feeling.errors import AcceleratorError
from today_feeling.inference.runtime import (
    dequantize_output,
    make_interpreter,
    quantize_input,
)


@pytest.fixture
def model_files(models_dir, tmp_path):
    cpu = tmp_path / "emotion.tflite"
    shutil.copy(models_dir / "fer_emotion_model_quantized.tflite", cpu)
    compiled = tmp_path / "emotion_edgetpu.tflite"
    shutil.copy(cpu, compiled)  # stands in for a compiled model; the delegate never loads here
    return cpu, compiled


def test_auto_falls_back_to_cpu_and_says_what_was_tried(model_files) -> None:
    cpu, compiled = model_files
    loaded = make_interpreter(cpu, compiled, "auto", threads=1)
    assert loaded.accelerator == "cpu" and loaded.path == cpu
    assert "EdgeTPU tried and not usable" in loaded.note and "libedgetpu" in loaded.note
    out = np.zeros((1, 64, 64, 1), np.float32)
    loaded.interpreter.set_tensor(loaded.interpreter.get_input_details()[0]["index"], out)
    loaded.interpreter.invoke()


def test_auto_without_a_compiled_model_does_not_try_the_tpu(model_files) -> None:
    cpu, _ = model_files
    loaded = make_interpreter(cpu, None, "auto", threads=1)
    assert loaded.accelerator == "cpu" and "not tried" in loaded.note


def test_explicit_edgetpu_failure_is_actionable(model_files) -> None:
    cpu, compiled = model_files
    with pytest.raises(AcceleratorError) as caught:
        make_interpreter(cpu, compiled, "edgetpu", threads=1, edgetpu_device="usb:0")
    message = str(caught.value)
    for hint in ("1a6e:089a", "18d1:9302", "USB3", "power", "accelerator = \"cpu\""):
        assert hint in message
    assert caught.value.exit_code == 69


def test_explicit_edgetpu_without_compiled_model(model_files) -> None:
    cpu, _ = model_files
    with pytest.raises(AcceleratorError, match=r"compile\.sh"):
        make_interpreter(cpu, None, "edgetpu", threads=1)


def test_build_logs_one_line_saying_where_emotion_runs(models_dir, caplog) -> None:
    from tests.support.settings import settings_for
    from today_feeling.inference.build import build_recognizer

    with caplog.at_level(logging.INFO, logger="today_feeling.inference.build"):
        build_recognizer(settings_for(models_dir))
    lines = [r.getMessage() for r in caplog.records if "emotion model" in r.getMessage()]
    assert len(lines) == 1
    assert "on cpu" in lines[0] and "accelerator=auto" in lines[0]


def test_int8_quantization_round_trip() -> None:
    detail = {"dtype": np.int8, "quantization": (0.5, -3)}
    values = np.array([-70.0, -1.0, 0.0, 1.24, 70.0], np.float32)
    q = quantize_input(values, detail)
    assert q.dtype == np.int8
    assert q.tolist() == [-128, -5, -3, -1, 127]
    assert dequantize_output(q, detail).tolist() == [-62.5, -1.0, 0.0, 1.0, 65.0]
