"""The README's promises: its test command is what CI runs, its CLI table matches the CLI."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from today_feeling.cli import COMMANDS, build_parser

REPO = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", (REPO / "README.md").read_text(), re.S)
    assert block, "README.md must open with a ```sh block of two commands"
    return [line.split("#")[0].strip() for line in block.group(1).strip().splitlines()]


def test_ci_runs_the_readme_test_command() -> None:
    setup_and_run, setup_and_test = _readme_commands()
    assert "pytest" in setup_and_test and "demo" in setup_and_run
    ci = (REPO / ".ci" / "run").read_text()
    assert setup_and_test in ci


def test_every_cli_command_is_documented_and_offered() -> None:
    readme = (REPO / "README.md").read_text()
    parser_help = build_parser().format_help()
    for name in COMMANDS:
        assert f"`{name}" in readme, name
        assert name in parser_help, name


def test_a_command_whose_module_is_missing_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    # a packaging error must not quietly remove a command that users and scripts rely on
    monkeypatch.setitem(COMMANDS, "profile", ("today_feeling.commands.not_packaged", "lost"))
    with pytest.raises(ModuleNotFoundError, match="not_packaged"):
        build_parser()


def _subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
                 ) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _subcommands(sub, (*path, name))


def test_every_flag_of_every_command_is_documented() -> None:
    """The README's command table (and docs/music.md for ``library``) names each long option a
    command takes: a flag added to the CLI without a word in the docs fails here."""
    docs = (REPO / "README.md").read_text() + (REPO / "docs" / "music.md").read_text()
    missing = []
    for path, sub in _subcommands(build_parser()):
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag not in ("--help", "--config") and flag not in docs:
                    missing.append(f"{' '.join(path)} {flag}")
    assert not missing, missing
