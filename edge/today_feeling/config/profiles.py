"""Settings for per-person calibration profiles (issue 18)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from today_feeling.config.schema import setting
from today_feeling.domain.profile_names import check_profile_name


@dataclass(frozen=True)
class ProfilesSettings:
    """Who is listening: each person's enrolled expressions calibrate the emotion model for them.

    A profile holds embeddings (384 numbers per face, not images) and labels, one file per
    person; nothing of it ever leaves the device over MQTT or HTTP.
    """

    dir: str = setting(
        "/var/lib/today-feeling/profiles",
        "Folder of profile files (one <name>.json per person, mode 0600); 'today-feeling profile' "
        "and the daemon both read it",
    )
    active: str = setting(
        "", "Profile applied at start ('' = none: the model's own probabilities, exactly as without "
        "profiles); the dashboard, MQTT profile/set and Home Assistant change it at run time",
    )
    group_policy: Literal["primary", "everyone"] = setting(
        "primary", "With several faces in view: 'primary' calibrates only the tracked listener "
        "(largest, most central face; the mood follows that face anyway), 'everyone' applies the "
        "active person's profile to every face",
    )
    max_samples_per_emotion: int = setting(
        40, "Samples kept per expression in a profile; beyond it the oldest go first (people change)",
        min=1, max=1000,
    )
    correction_window_s: float = setting(
        3.0, "A correction ('I'm X') labels the listener's faces of this many past seconds",
        unit="seconds", min=0.5, max=30,
    )
    enrol_seconds: float = setting(
        3.0, "Guided enrolment collects each expression for this long", unit="seconds",
        min=0.5, max=30,
    )
    enrol_min_face_px: int = setting(
        64, "Guided enrolment keeps only faces at least this wide (small faces embed poorly)",
        unit="pixels", min=16, max=1000,
    )

    def __post_init__(self) -> None:
        if self.active:
            check_profile_name(self.active)
