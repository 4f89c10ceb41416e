"""Health checks for ``today-feeling doctor``: each says what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from today_feeling.capture.factory import make_source
from today_feeling.checks import Check
from today_feeling.config.settings import Settings
from today_feeling.errors import ProfileError, TodayFeelingError
from today_feeling.inference.runtime import EDGETPU_HELP, load_edgetpu_delegate, runtime_name
from today_feeling.model_store.fetch import verify_all
from today_feeling.model_store.manifest import manifest_for_dir
from today_feeling.privacy_state import load_privacy
from today_feeling.profiles.store import ProfileStore

CORAL_USB_IDS = {("1a6e", "089a"), ("18d1", "9302")}


def check_models(settings: Settings) -> Check:
    models_dir = Path(settings.models.dir).expanduser()
    try:
        problems = verify_all(manifest_for_dir(models_dir), models_dir)
    except TodayFeelingError as err:
        return Check("models", False, str(err), "today-feeling models fetch")
    if problems:
        return Check("models", False, "; ".join(problems),
                     f"today-feeling models fetch --dir {models_dir}")
    return Check("models", True, f"all models verified in {models_dir}")


def check_runtime(settings: Settings) -> Check:
    from today_feeling.inference.build import resolve_runtime
    from today_feeling.inference.onnx_runtime import available_providers

    try:
        if resolve_runtime(settings) == "onnxruntime":
            providers = available_providers()
            if not providers:
                return Check("runtime", False, "onnxruntime is not installed",
                             "pip install onnxruntime (onnxruntime-gpu from NVIDIA's index on a Jetson)")
            return Check("runtime", True, f"onnxruntime with {', '.join(providers)}")
        return Check("runtime", True, runtime_name())
    except TodayFeelingError as err:
        return Check("runtime", False, str(err), "pip install ai-edge-litert")


def coral_usb_present(sys_usb: Path = Path("/sys/bus/usb/devices")) -> bool:
    for device in sys_usb.glob("*"):
        try:
            ids = ((device / "idVendor").read_text().strip(), (device / "idProduct").read_text().strip())
        except OSError:
            continue
        if ids in CORAL_USB_IDS:
            return True
    return False


def check_accelerator(settings: Settings) -> Check:
    wanted = settings.inference.accelerator
    if wanted == "cpu":
        return Check("accelerator", True, "CPU by configuration")
    if wanted in ("cuda", "tensorrt"):  # ONNX Runtime's providers: check_placement loads them
        return Check("accelerator", True, f"{wanted} through ONNX Runtime (see 'models run on')")
    found = coral_usb_present() or Path("/dev/apex_0").exists()
    try:
        load_edgetpu_delegate(settings.inference.edgetpu_device)
    except (ValueError, OSError, RuntimeError) as err:
        ok = wanted == "auto"
        detail = f"no usable EdgeTPU ({'device seen' if found else 'no Coral device found'}: {err})"
        return Check("accelerator", ok, detail + ("; using the CPU" if ok else ""),
                     "" if ok else EDGETPU_HELP)
    return Check("accelerator", True, "EdgeTPU delegate loads")


def check_placement(settings: Settings) -> Check:
    """Where each model will run: loaded the way the daemon loads it."""
    from today_feeling.inference.build import placement  # loads models: only when asked

    try:
        rows = placement(settings)
    except TodayFeelingError as err:
        return Check("models run on", False, str(err), "see docs/deploy.md (accelerators)")
    detail = "; ".join(f"{key} on {device} ({note})" for key, device, note in rows)
    if any("EdgeTPU tried" in note for _, _, note in rows):
        # A USB Coral opens in one process at a time: while the daemon holds it, doctor cannot.
        detail += " (a Coral the running daemon holds shows as not usable to doctor)"
    return Check("models run on", True, detail)


def check_camera(settings: Settings) -> Check:
    if load_privacy(Path(settings.privacy.state_file).expanduser()):
        return Check("camera", True, "privacy mode is ON: camera not opened")
    try:
        source = make_source(settings.capture.source, settings.capture, realtime=False)
        source.open()
        try:
            frame = source.read()
        finally:
            source.close()
    except TodayFeelingError as err:
        return Check("camera", False, str(err), "set capture.source or attach a camera")
    if frame is None:
        return Check("camera", False, f"{settings.capture.source} gave no frame")
    h, w = frame.image.shape[:2]
    return Check("camera", True, f"{settings.capture.source}: frame {w}x{h}")


def check_mpd(settings: Settings) -> Check:
    """Connects and logs in for real, and says how much of the library is mood-indexed."""
    if settings.mpd.address == "off":
        return Check("mpd", True, "disabled (mpd.address = off)")
    from today_feeling.music.health import check_mpd as mpd_health

    health = mpd_health(settings.mpd)
    return replace(health, fix="") if health.ok else health  # the doctor advises on failures only


def check_broker(settings: Settings) -> Check:
    """A real login (not just a TCP connect), so a wrong password shows up here."""
    if not settings.mqtt.url:
        return Check("mqtt", True, "disabled (mqtt.url empty)")
    from today_feeling.mqtt.check import check_broker_login

    login = check_broker_login(settings)
    fix = "" if login.ok else "start mosquitto, or fix mqtt.url / mqtt.username / the password file"
    return replace(login, detail=login.detail or f"logged in to {settings.mqtt.url}", fix=fix)


def check_profiles(settings: Settings) -> Check:
    """Every profile readable and made with the configured emotion model; the active one exists."""
    store = ProfileStore(Path(settings.profiles.dir).expanduser())
    names = store.names()
    entry = manifest_for_dir(Path(settings.models.dir).expanduser()).get(settings.models.emotion)
    problems = []
    for name in names:
        try:
            profile = store.load(name)
            if entry is not None:
                profile.check_model(entry.key, entry.sha256)
        except ProfileError as err:
            problems.append(str(err))
    active = settings.profiles.active
    if active and active not in names:
        problems.append(f"profiles.active = {active!r}: no such profile in {store.directory}")
    listed = f"{len(names)} in {store.directory}" + (f" ({', '.join(names)})" if names else "")
    if problems:
        return Check("profiles", False, "; ".join(problems),
                     "delete unusable profiles (today-feeling profile delete NAME) and enrol again")
    return Check("profiles", True, f"{listed}; active: {active or 'none'}")


CHECKS: tuple[Callable[[Settings], Check], ...] = (
    check_runtime, check_models, check_accelerator, check_placement, check_camera, check_mpd,
    check_broker, check_profiles,
)


def run_checks(settings: Settings) -> list[Check]:
    return [check(settings) for check in CHECKS]
