"""ansible-lint (production profile) and syntax checks of every playbook."""

from __future__ import annotations

import subprocess

import pytest

from tests.deploy.paths import ANSIBLE_DIR, tool


def test_ansible_lint_production_profile(ansible_env: dict[str, str]) -> None:
    lint = tool("ansible-lint")
    result = subprocess.run(
        [lint, "--profile", "production", "--strict", "--nocolor", "."],
        cwd=ANSIBLE_DIR, env=ansible_env, check=False, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Profile 'production' was required, and it passed" in result.stdout + result.stderr


@pytest.mark.parametrize("playbook", ["site.yml", "hil.yml", "central.yml", "group_command.yml"])
def test_playbook_syntax(playbook: str, ansible_env: dict[str, str]) -> None:
    result = subprocess.run(
        [tool("ansible-playbook"), "-i", "inventory.example.yml", "--syntax-check", playbook],
        cwd=ANSIBLE_DIR, env=ansible_env, check=False, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["today_feeling", "today_feeling_central"])
def test_role_argument_specs_cover_every_default(name: str, ansible_env: dict[str, str]) -> None:
    """Every role default is typed in meta/argument_specs.yml (and nothing is typed twice)."""
    import yaml

    role = ANSIBLE_DIR / "roles" / name
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text())
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())
    options = specs["argument_specs"]["main"]["options"]
    assert set(defaults) <= set(options), sorted(set(defaults) - set(options))
    assert all(option.startswith(f"{name}_") for option in options)
