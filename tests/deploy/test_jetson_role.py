"""The role on a Jetson: the config it writes runs the models on ONNX Runtime with TensorRT and
reads the CSI camera through GStreamer, its drop-in gives the GPU's device nodes and the time
TensorRT needs, and its preflight stops a GPU setup that lacks NVIDIA's onnxruntime wheel.

Rendered by real Ansible (the role's preflight tasks and templates, its defaults); JetPack's
packages and the GPU exist only on the device (the HIL suite's tests/hil/test_jetson.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.paths import ANSIBLE_DIR, UNIT_FILE, tool
from today_feeling.config.loader import load_settings
from today_feeling.inference.build import resolve_runtime

PLAYBOOK = Path(__file__).with_name("render_role.yml")
GST_SOURCE = ("gst:nvarguscamerasrc ! video/x-raw(memory:NVMM),width=1280,height=720 ! nvvidconv "
              "! video/x-raw,width=640,height=480,format=BGRx ! videoconvert")


def render(tmp_path: Path, **variables: object) -> subprocess.CompletedProcess[str]:
    wheel = tmp_path / "today_feeling-0-py3-none-any.whl"
    wheel.touch()
    extra = {"out_dir": str(tmp_path), "role_dir": str(ANSIBLE_DIR / "roles/today_feeling"),
             "today_feeling_wheel": str(wheel), "today_feeling_mqtt_password": "pw",
             "today_feeling_device_id": "studio", **variables}
    return subprocess.run(
        [tool("ansible-playbook"), "-i", "localhost,", str(PLAYBOOK), "-e", json.dumps(extra)],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "ANSIBLE_ROLES_PATH": str(ANSIBLE_DIR / "roles"), "ANSIBLE_NOCOLOR": "1",
             "ANSIBLE_PYTHON_INTERPRETER": sys.executable},
    )


JETSON = {"today_feeling_jetson": True, "today_feeling_inference_runtime": "onnxruntime",
          "today_feeling_inference_accelerator": "tensorrt", "today_feeling_capture_source": GST_SOURCE,
          "today_feeling_jetson_onnxruntime_wheel": "https://example.invalid/onnxruntime_gpu.whl"}


@pytest.fixture(scope="module")
def jetson_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("jetson")
    result = render(out, **JETSON)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return out


def test_the_jetson_config_runs_tensorrt_on_onnxruntime_with_a_gstreamer_camera(jetson_dir: Path) -> None:
    settings = load_settings(jetson_dir / "config.toml", required=True)  # the daemon's own loader
    assert settings.inference.runtime == "onnxruntime"
    assert settings.inference.accelerator == "tensorrt"
    assert resolve_runtime(settings) == "onnxruntime"
    assert settings.capture.source == GST_SOURCE
    assert settings.models.short_detector == "blazeface_short"  # float models: TensorRT runs fp16


def test_the_jetson_dropin_gives_gpu_nodes_and_time_and_verifies_with_systemd(jetson_dir: Path,
                                                                             tmp_path: Path) -> None:
    dropin = (jetson_dir / "dropin.conf").read_text()
    assert "TimeoutStartSec=900\n" in dropin
    assert "DeviceAllow=/dev/nvmap rw\n" in dropin
    assert "DeviceAllow=/dev/nvgpu/igpu0/ctrl rw\n" in dropin
    assert "MemoryDenyWriteExecute=no\n" in dropin
    assert "RestrictAddressFamilies=AF_NETLINK\n" in dropin  # the gst: source (nvargus, udev)
    dropins = tmp_path / f"{UNIT_FILE.name}.d"
    dropins.mkdir()
    (dropins / "50-ansible.conf").write_text(dropin)
    text = UNIT_FILE.read_text().replace("/opt/today-feeling/venv/bin/today-feeling", "/bin/true")
    (tmp_path / UNIT_FILE.name).write_text(text)
    result = subprocess.run([tool("systemd-analyze"), "verify", "--man=no", UNIT_FILE.name],
                            check=False, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "SYSTEMD_UNIT_PATH": f"{tmp_path}:"})
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_a_device_that_is_not_a_jetson_gets_none_of_it(tmp_path: Path) -> None:
    result = render(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    dropin = (tmp_path / "dropin.conf").read_text()
    assert "DeviceAllow" not in dropin and "MemoryDenyWriteExecute" not in dropin
    settings = load_settings(tmp_path / "config.toml", required=True)
    assert (settings.inference.runtime, settings.inference.accelerator) == ("auto", "auto")


def test_tensorrt_without_nvidias_wheel_stops_in_preflight(tmp_path: Path) -> None:
    result = render(tmp_path, **{**JETSON, "today_feeling_jetson_onnxruntime_wheel": ""})
    assert result.returncode != 0
    assert "onnxruntime-gpu" in result.stdout and "not on PyPI" in result.stdout
    assert not (tmp_path / "config.toml").exists()  # stopped before anything was written
