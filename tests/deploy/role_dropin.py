"""The role's drop-in template rendered as Ansible would, for the unit tests."""

from __future__ import annotations

from typing import Any

import yaml

from tests.deploy.paths import ANSIBLE_DIR

ROLE = ANSIBLE_DIR / "roles/today_feeling"


def role_default(name: str) -> Any:
    """One literal value from the role's defaults/main.yml."""
    return yaml.safe_load((ROLE / "defaults/main.yml").read_text())[name]


def render_role_dropin(password: str, *, picamera2: bool = False, coral: bool = False,
                       capture_source: str = "auto", jetson: bool = False) -> str:
    """The role's drop-in template as Ansible renders it (plain Jinja2 suffices for it)."""
    import jinja2

    template = ROLE / "templates/dropin.conf.j2"
    env = jinja2.Environment(trim_blocks=True, undefined=jinja2.StrictUndefined)
    return env.from_string(template.read_text()).render(
        ansible_managed="Ansible managed", today_feeling_mqtt_password=password,
        today_feeling_unit_service_overrides=[], today_feeling_mpd_music_dir="/var/lib/mpd/music",
        today_feeling_use_picamera2=picamera2, today_feeling_coral=coral,
        today_feeling_capture_source=capture_source, today_feeling_jetson=jetson,
        today_feeling_jetson_device_allow=role_default("today_feeling_jetson_device_allow"),
        today_feeling_jetson_start_timeout=role_default("today_feeling_jetson_start_timeout"))
