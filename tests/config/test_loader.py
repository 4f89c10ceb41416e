"""Config: strict parsing, messages that name the key, exit status 78, a faithful example."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from tests.support.example_config import declared_sections, declared_settings, shown_sections, shown_settings
from today_feeling.config import Settings, example_config, load_settings
from today_feeling.config.schema import parse_section
from today_feeling.errors import ConfigError


def test_example_config_parses_back_to_the_defaults() -> None:
    assert parse_section(Settings, tomllib.loads(example_config())) == Settings()


def test_every_setting_is_documented() -> None:
    """Every declared setting is in the example, under its doc; nothing undeclared is shown."""
    text = example_config()
    shown, declared = shown_settings(text), declared_settings(Settings)
    assert shown.keys() == declared.keys()
    for key, doc in declared.items():
        assert len(doc) > 10, f"{key} has no real doc: {doc!r}"
        assert shown[key].comment.startswith(f"# {doc}"), key
    sections = shown_sections(text)
    for name, doc in declared_sections(Settings).items():
        assert doc and sections[name] == f"# {doc}", name


@pytest.mark.parametrize(
    ("toml", "key", "words"),
    [
        ("[mood]\ndwel_s = 3\n", "mood.dwel_s", "unknown key"),
        ("[mood]\ndwell_s = -1\n", "mood.dwell_s", ">= 0"),
        ("[mood]\ndwell_s = 'long'\n", "mood.dwell_s", "expected a number"),
        ("[inference]\nthreads = 2.5\n", "inference.threads", "expected an integer"),
        ("[inference]\naccelerator = 'tpu'\n", "inference.accelerator", "one of"),
        ("[capture]\nreplay_loop = 1\n", "capture.replay_loop", "expected bool"),
        ("capture = 3\n", "capture", "expected a table"),
        ("[nonsense]\n", "nonsense", "unknown key"),
        ("[capture]\nretry_initial_s = 10\nretry_max_s = 5\n", "capture", "retry_max_s"),
        ("[mpd]\naddress = 'localhost:66OO'\n", "mpd.address", "port 1-65535"),
        ("[mpd]\naddress = 'localhost:99999'\n", "mpd.address", "bad MPD address"),
        ("[mpd]\naddress = ':6600'\n", "mpd.address", "bad MPD address"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, toml: str, key: str, words: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.key == key
    assert words in str(caught.value)


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[mood]\ndwel_s = 3\nhysteresis = 2\n[mpd]\naddress = 'localhost:66OO'\n"
                    "[inference]\nthreads = 'many'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert [e.key for e in caught.value.all] == ["inference.threads", "mood.dwel_s",
                                                 "mood.hysteresis", "mpd.address"]  # declaration order
    for key in ("mood.dwel_s", "mood.hysteresis", "inference.threads", "mpd.address"):
        assert key in str(caught.value)


@pytest.mark.parametrize(("flag", "value", "key"), [
    ("--mpd", "localhost:66OO", "mpd.address"), ("--http", "everywhere", "http.bind"),
    ("--mqtt", "mqtt://u:pw@host", "mqtt.url"),
])
def test_a_bad_override_exits_78_naming_the_key(tmp_path: Path, flag: str, value: str, key: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text("")
    result = _cli("run", "--config", str(path), "--source", "/dev/video99", flag, value)
    assert result.returncode == 78, result.stderr
    assert key in result.stderr and flag in result.stderr
    assert "video99" not in result.stderr  # nothing was opened


def test_values_are_converted_and_frozen(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[mood]\ndwell_s = 2\n[capture]\nsource = 'x.mp4'\n")
    settings = load_settings(path)
    assert settings.mood.dwell_s == 2.0 and isinstance(settings.mood.dwell_s, float)
    assert settings.capture.source == "x.mp4"
    with pytest.raises(AttributeError):
        settings.mood.dwell_s = 1.0  # type: ignore[misc]


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "absent.toml")


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[mood\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "today_feeling", *args], capture_output=True,
                          text=True, timeout=60, check=False)


def test_run_with_bad_config_exits_78_before_touching_hardware(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    # The camera path is unopenable too: the config error must win, before any capture.
    path.write_text("[capture]\nsource = '/dev/video99'\n[mood]\nhysteresis = 2\n")
    result = _cli("run", "--config", str(path))
    assert result.returncode == 78
    assert "mood.hysteresis" in result.stderr
    assert "video99" not in result.stderr


def test_config_example_command_prints_every_section() -> None:
    result = _cli("config", "--example")
    assert result.returncode == 0
    for section in ("[capture]", "[mood]", "[inference]", "[mpd]", "[mqtt]", "[http]"):
        assert section in result.stdout


def test_committed_example_is_current() -> None:
    committed = Path(__file__).resolve().parents[2] / "docs" / "config.example.toml"
    assert committed.read_text() == example_config(), (
        "regenerate with: today-feeling config --example > docs/config.example.toml"
    )
