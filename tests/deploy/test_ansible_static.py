"""ansible-lint (production profile) and syntax checks of every playbook."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest

from tests.deploy.paths import ANSIBLE_DIR, REPO_ROOT, tool


def test_ansible_lint_production_profile(ansible_env: dict[str, str]) -> None:
    lint = tool("ansible-lint")
    result = subprocess.run(
        [lint, "--profile", "production", "--strict", "--nocolor", "."],
        cwd=ANSIBLE_DIR, env=ansible_env, check=False, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Profile 'production' was required, and it passed" in result.stdout + result.stderr


PLAYBOOKS = ["site.yml", "hil.yml", "central.yml", "group_command.yml", "monitoring.yml"]
ROLES = ["today_feeling", "today_feeling_central", "today_feeling_prometheus"]


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_playbook_syntax(playbook: str, ansible_env: dict[str, str]) -> None:
    result = subprocess.run(
        [tool("ansible-playbook"), "-i", "inventory.example.yml", "--syntax-check", playbook],
        cwd=ANSIBLE_DIR, env=ansible_env, check=False, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ROLES)
def test_role_argument_specs_cover_every_default(name: str, ansible_env: dict[str, str]) -> None:
    """Every role default is typed in meta/argument_specs.yml (and nothing is typed twice)."""
    import yaml

    role = ANSIBLE_DIR / "roles" / name
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text())
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())
    options = specs["argument_specs"]["main"]["options"]
    assert set(defaults) <= set(options), sorted(set(defaults) - set(options))
    assert all(option.startswith(f"{name}_") for option in options)
    # ansible-doc shows the spec's default: it must be the one the role really uses
    stated = {key: spec["default"] for key, spec in options.items() if "default" in spec}
    differing = {key: (value, defaults[key]) for key, value in stated.items()
                 if key in defaults and value != defaults[key]}
    assert not differing, differing


def _tags_in(node: object) -> Iterator[str]:
    """Every tag set anywhere in a parsed task or playbook file (blocks and plays included)."""
    if isinstance(node, dict):
        tags = node.get("tags", [])
        yield from [tags] if isinstance(tags, str) else tags
        for value in node.values():
            yield from _tags_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from _tags_in(item)


def test_every_tag_carries_its_role_name() -> None:
    """`--tags config` in a bigger site playbook would also run other roles' `config` phases."""
    import yaml

    unprefixed: list[str] = []
    for role in ROLES:
        for tasks in sorted((ANSIBLE_DIR / "roles" / role / "tasks").glob("*.yml")):
            tags = set(_tags_in(yaml.safe_load(tasks.read_text()))) - {"always", "never"}
            where = tasks.relative_to(ANSIBLE_DIR)
            unprefixed += [f"{where}: {tag}" for tag in tags if not tag.startswith(f"{role}_")]
    for playbook in PLAYBOOKS:
        tags = set(_tags_in(yaml.safe_load((ANSIBLE_DIR / playbook).read_text()))) - {"always", "never"}
        unprefixed += [f"{playbook}: {tag}" for tag in tags if not tag.startswith("today_feeling_")]
    assert not unprefixed, unprefixed


def test_device_role_tags_are_the_ones_docs_deploy_lists(ansible_env: dict[str, str]) -> None:
    """The phase table in docs/deploy.md names exactly the tags `--list-tags` shows for the device play."""
    result = subprocess.run(
        [tool("ansible-playbook"), "-i", "inventory.example.yml", "--list-tags", "site.yml"],
        cwd=ANSIBLE_DIR, env=ansible_env, check=True, capture_output=True, text=True, timeout=300,
    )
    device_play = result.stdout.split("play #2", 1)[1]
    task_tags = re.findall(r"TASK TAGS: \[([^\]]*)\]", device_play)[0]
    listed = set(task_tags.replace(" ", "").split(",")) - {"always"}
    table = (REPO_ROOT / "docs" / "deploy.md").read_text().split("| Tag | Does |", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))
    assert listed == documented, (sorted(listed - documented), sorted(documented - listed))
