"""The daemon's typed, frozen settings, one dataclass per config section.

Defaults are chosen for a Raspberry Pi in a living room; units are in each doc.
Sections owned by later stages (music, MQTT, web) live in their own modules and
are aggregated here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from today_feeling.config.mqtt import MqttSettings
from today_feeling.config.music import DirectorSettings, MpdSettings
from today_feeling.config.profiles import ProfilesSettings
from today_feeling.config.schema import section, setting
from today_feeling.config.web import HistorySettings, HttpSettings
from today_feeling.domain.mood import MoodSettings

#: models.dir's default: the service's StateDirectory on a device (the CLI falls back to the
#: user's cache, where scripts/setup.sh fetches, when nothing is here).
DEVICE_MODELS_DIR = "/var/lib/today-feeling/models"


@dataclass(frozen=True)
class DeviceSettings:
    """Identity of this appliance on the network."""

    id: str = setting(
        "", "Device id used in MQTT topics and client ids; empty = derived from /etc/machine-id"
    )
    name: str = setting("Today Feeling", "Human-readable name shown in Home Assistant and the dashboard")


@dataclass(frozen=True)
class CaptureSettings:
    """Where frames come from and how a failing source is retried."""

    source: str = setting(
        "auto",
        "Frame source: 'auto' (Pi camera if present, else /dev/video0), 'picamera', a V4L2 index "
        "('0') or device path, an rtsp:// or http:// URL, 'gst:' and a GStreamer pipeline (e.g. "
        "'gst:nvarguscamerasrc ! nvvidconv' on a Jetson), a video file, an image or an image folder",
    )
    width: int = setting(640, "Requested capture width", unit="pixels", min=64, max=4096)
    height: int = setting(480, "Requested capture height", unit="pixels", min=48, max=4096)
    fps: float = setting(15.0, "Requested camera frame rate", unit="frames/s", min=1, max=120)
    idle_fps: float = setting(
        5.0, "Camera frame rate while nobody is in the room, for sources that can change it while "
        "streaming (the Pi camera; most USB cameras refuse); never above fps; 0 keeps fps",
        unit="frames/s", min=0, max=120,
    )
    replay_realtime: bool = setting(
        True, "Pace files and image folders at their own frame rate (false: as fast as possible)"
    )
    replay_loop: bool = setting(False, "Start a video file or folder again when it ends (demo)")
    image_fps: float = setting(
        2.0, "Pace for still images and folders when replay_realtime is on", unit="frames/s",
        min=0.1, max=120,
    )
    retry_initial_s: float = setting(
        1.0, "First wait before reopening a source that failed", unit="seconds", min=0.01, max=60
    )
    retry_max_s: float = setting(
        30.0, "Longest wait between reopen attempts (backoff doubles up to this)", unit="seconds",
        min=0.01, max=3600,
    )

    def __post_init__(self) -> None:
        if self.retry_max_s < self.retry_initial_s:
            raise ValueError("capture.retry_max_s must be >= capture.retry_initial_s")


@dataclass(frozen=True)
class ModelSettings:
    """Which model files to load and where they are."""

    dir: str = setting(
        DEVICE_MODELS_DIR,
        "Folder holding the model files and manifest.toml written by 'today-feeling models fetch'",
    )
    detector: Literal["auto", "short", "full"] = setting(
        "auto",
        "Face detector: 'short' (BlazeFace 128 px, faces within ~2 m), 'full' (192 px, across a "
        "room), 'auto' (short-range, switching to full-range while faces are small or missing)",
    )
    short_detector: str = setting(
        "blazeface_short",
        "Short-range face detector for 'short' and 'auto' (a manifest key; 'blazeface_short_int8' is "
        "the full-integer one that can run on a Coral)",
    )
    full_detector: str = setting(
        "blazeface_full",
        "Full-range face detector for 'full' and 'auto' (a manifest key; 'blazeface_full_int8' is "
        "the full-integer one that can run on a Coral)",
    )
    emotion: str = setting(
        "emotion_today_feeling_v5",
        "Emotion model: a key of the models manifest ('emotion_fer_minixception' is fer's, the baseline)",
    )
    music: str = setting(
        "music_musicnn_msd",
        "Music-mood embedder that places library tracks on the valence-arousal plane (a key of the "
        "models manifest); '' uses the hand-made audio features instead (tempo, level, brightness, mode)",
    )
    music_head: str = setting(
        "music_mood_head_4q",
        "Head that turns the embedder's output into valence and arousal (a key of the models manifest, "
        "fitted on that embedder: models/music/train_head.py)",
    )


@dataclass(frozen=True)
class InferenceSettings:
    """Where the models run."""

    accelerator: Literal["auto", "edgetpu", "cuda", "tensorrt", "cpu"] = setting(
        "auto", "'edgetpu' requires a Coral, 'tensorrt'/'cuda' an NVIDIA GPU through ONNX Runtime; "
        "'auto' uses what is present (GPU, then Coral per compiled model), else the CPU"
    )
    runtime: Literal["auto", "litert", "onnxruntime"] = setting(
        "auto", "Model runtime: 'litert' (TFLite: CPU with XNNPACK, Coral), 'onnxruntime' (TensorRT, "
        "CUDA or CPU); 'auto' is onnxruntime where it has a GPU provider (a Jetson), else litert"
    )
    edgetpu_device: str = setting(
        "", "Coral to use: '' (first found), 'usb', 'usb:N' or 'pci:N'"
    )
    threads: int = setting(1, "CPU threads per model interpreter (XNNPACK)", min=1, max=16)
    mirror_average: bool = setting(
        True, "Classify each face and its mirror image and average the two: about one point "
        "more accurate and better-calibrated moods, for twice the emotion-model time per face "
        "(about 0.16 ms more on one x86 core)",
    )


@dataclass(frozen=True)
class DetectionSettings:
    """Which detections count as faces worth classifying."""

    min_score: float = setting(
        0.65, "Minimum BlazeFace score for a face (0.61 false positives seen on empty scenes)",
        min=0.05, max=0.99,
    )
    nms_iou: float = setting(
        0.3, "Overlap above which two detections are merged (weighted NMS)", min=0.05, max=0.95
    )
    small_face_px: int = setting(
        80, "In 'auto' detector mode, faces narrower than this switch to the full-range model",
        unit="pixels", min=8, max=1000,
    )
    tile_grid: int = setting(
        2, "When the full-range pass finds no face, run it again on grid x grid overlapping "
        "tiles to find faces across the room (0 or 1 disables)", min=0, max=4,
    )
    tiny_face_px: int = setting(
        48, "A listener narrower than this keeps the tiled pass running",
        unit="pixels", min=8, max=1000,
    )
    tile_search_interval_s: float = setting(
        6.0, "While nobody is found, the tiled search (grid^2 full-range runs) is repeated at most "
        "this often; 0 = every frame. Bounds the idle cost: a listener too small for one "
        "full-range pass (< 40 px) is found within this time", unit="seconds", min=0.0, max=60.0,
    )
    max_faces: int = setting(4, "Faces classified per frame, largest first", min=1, max=16)
    motion_gate: bool = setting(
        True, "While nobody is in view, skip the detector for frames that match the last one it "
        "checked (nobody walks in without changing the picture)",
    )
    motion_recheck_s: float = setting(
        10.0, "With motion_gate, the detector still looks at least this often in an unchanging "
        "empty picture", unit="seconds", min=0.5, max=600.0,
    )


@dataclass(frozen=True)
class PipelineSettings:
    """How often frames are analysed: an always-on device must not burn a core."""

    max_fps: float = setting(5.0, "Analysis rate cap while a face is present (the mood is smoothed "
                             "over seconds: 5 commits the same moods as 8 on the sample videos, "
                             "for 37 % less work)", unit="frames/s", min=0.1, max=120)
    idle_fps: float = setting(1.0, "Analysis rate when no face has been seen recently (one "
                              "full-range pass each: someone walking in is found within 1/idle_fps s)",
                              unit="frames/s", min=0.1, max=120)
    idle_after_s: float = setting(5.0, "Seconds without a face before dropping to idle_fps",
                                  unit="seconds", min=0, max=3600)
    watchdog_stall_s: float = setting(
        20.0, "Stop sending WATCHDOG=1 when no frame was analysed for this long", unit="seconds",
        min=1, max=3600,
    )


@dataclass(frozen=True)
class PrivacySettings:
    """What may be kept of frames."""

    state_file: str = setting(
        "/var/lib/today-feeling/privacy",
        "File that remembers privacy mode across restarts (contains ON or OFF)",
    )
    debug_save_frames: bool = setting(
        False, "DEBUG ONLY: write annotated frames to debug_dir. Frames never leave the device "
        "and are never written unless this is on",
    )
    debug_dir: str = setting("/var/lib/today-feeling/debug", "Where debug frames are written")


@dataclass(frozen=True)
class Settings:
    """All settings; see ``today-feeling config --example``."""

    device: DeviceSettings = section(DeviceSettings, "Identity")
    capture: CaptureSettings = section(CaptureSettings, "Camera or replay source")
    models: ModelSettings = section(ModelSettings, "Model files")
    inference: InferenceSettings = section(InferenceSettings, "Accelerator and threads")
    detection: DetectionSettings = section(DetectionSettings, "Face detection")
    pipeline: PipelineSettings = section(PipelineSettings, "Analysis rate and watchdog")
    mood: MoodSettings = section(MoodSettings, "Mood smoothing, hysteresis and dwell")
    privacy: PrivacySettings = section(PrivacySettings, "Privacy and debugging")
    mpd: MpdSettings = section(MpdSettings, "MPD music player")
    director: DirectorSettings = section(DirectorSettings, "Music choice")
    mqtt: MqttSettings = section(MqttSettings, "MQTT broker and Home Assistant")
    http: HttpSettings = section(HttpSettings, "Dashboard web server")
    history: HistorySettings = section(HistorySettings, "Local mood and track history")
    profiles: ProfilesSettings = section(ProfilesSettings, "Household profiles (per-person calibration)")
