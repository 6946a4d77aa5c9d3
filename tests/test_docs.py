"""Docs stay honest: every chat command is in /help and in the README."""

import re
from pathlib import Path

from bot.commands import COMMANDS

from helpers import ADMIN, say

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_chat_command_is_listed_in_help_for_admins(shared_conv):
    text = say(shared_conv, "/help", user=ADMIN).plain
    for command in COMMANDS.values():
        if command.menu:
            assert f"/{command.name}" in text, command.name


def test_every_chat_command_is_in_the_readme():
    for command in COMMANDS.values():
        assert f"/{command.name}" in README, command.name


def test_every_cli_command_is_in_the_readme():
    from bot.cli import _parser

    sub = next(a for a in _parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"de06 {name}" in README, name


def test_readme_has_exactly_the_two_setup_commands():
    assert "make run" in README and "make test" in README


def test_every_test_named_in_the_guarantees_exists():
    """The README's Guarantees section must not cite a test that is gone."""
    tests = Path(__file__).resolve().parent
    section = README.split("## Guarantees", 1)[1].split("\n## ", 1)[0]
    files = set(re.findall(r"(test_[a-z0-9_]+)\.py", section))
    names = set(re.findall(r"::(test_[a-z0-9_]+)", section))
    assert files and names
    defined = "".join((tests / f"{f}.py").read_text(encoding="utf-8") for f in sorted(files))
    assert sorted(n for n in names if f"def {n}(" not in defined) == []


def test_every_command_alias_is_in_the_readme():
    for command in COMMANDS.values():
        for alias in command.aliases:
            assert f"/{alias}" in README, alias
