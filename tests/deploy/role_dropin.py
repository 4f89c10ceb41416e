"""The role's drop-in template rendered as Ansible would, for the unit tests."""

from __future__ import annotations

from tests.deploy.paths import ANSIBLE_DIR


def render_role_dropin(password: str, *, picamera2: bool = False, coral: bool = False,
                       capture_source: str = "auto") -> str:
    """The role's drop-in template as Ansible renders it (plain Jinja2 suffices for it)."""
    import jinja2

    template = ANSIBLE_DIR / "roles/today_feeling/templates/dropin.conf.j2"
    env = jinja2.Environment(trim_blocks=True, undefined=jinja2.StrictUndefined)
    return env.from_string(template.read_text()).render(
        ansible_managed="Ansible managed", today_feeling_mqtt_password=password,
        today_feeling_unit_service_overrides=[], today_feeling_mpd_music_dir="/var/lib/mpd/music",
        today_feeling_use_picamera2=picamera2, today_feeling_coral=coral,
        today_feeling_capture_source=capture_source)
