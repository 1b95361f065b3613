"""The documentation covers what the code offers: every command, option and public name, and its links hold.

The lists come from the code (the argparse parser of `newspairs.cli`, `newspairs.__all__`), so a
new command, option or name fails here until README.md or a page of docs/ mentions it.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from conftest import REPO

import newspairs
from newspairs.cli import build_parser

DOCS = REPO / "docs"
README = REPO / "README.md"

# Pages linked from README.md and docs/ that other branches write; a link to one of them may point
# nowhere until that branch is merged (once the page exists, its links and anchors are checked).
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def documentation() -> dict[Path, str]:
    pages = [README, *sorted(DOCS.glob("*.md"))]
    return {page: page.read_text(encoding="utf-8") for page in pages}


def all_text() -> str:
    return "\n".join(documentation().values())


def commands() -> dict[str, argparse.ArgumentParser]:
    """Each subcommand of the `newspairs` parser, by name."""
    parser = build_parser()
    (subparsers,) = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return dict(subparsers.choices)


def long_options(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(
        option for action in parser._actions for option in action.option_strings
        if option.startswith("--") and option != "--help"
    )


def command_options() -> list[tuple[str, str]]:
    """(command, option) for every long option of every command; command "" is the top-level parser."""
    pairs = [("", option) for option in long_options(build_parser())]
    return pairs + [(name, option) for name, parser in commands().items() for option in long_options(parser)]


def mentions_command(text: str, command: str) -> bool:
    return re.search(rf"newspairs {re.escape(command)}(?![\w-])", text) is not None


def mentions_name(text: str, name: str) -> bool:
    """`name` as code: `newspairs.name`, or at the start of a code span (`name`, `name(...)`)."""
    return re.search(rf"(?:newspairs\.|`){re.escape(name)}(?![\w])", text) is not None


def mentions_option(text: str, option: str) -> bool:
    return re.search(rf"{re.escape(option)}(?![\w-])", text) is not None


def slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    return {slug(match) for match in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}


def test_the_lists_come_from_the_code():
    names = commands()
    assert {"normalize", "demo", "export", "verify", "train-tokenizer", "publish"} <= set(names)
    assert ("export", "--errors") in command_options() and ("publish", "--license") in command_options()
    assert {"normalize", "load", "Encoder", "__version__"} <= set(newspairs.__all__)


@pytest.mark.parametrize("command", sorted(commands()))
def test_every_command_is_documented(command):
    assert mentions_command(all_text(), command), f"`newspairs {command}` appears in neither README.md nor docs/"


@pytest.mark.parametrize(("command", "option"), command_options(), ids=lambda value: value or "newspairs")
def test_every_option_is_documented(command, option):
    where = f"newspairs {command}".strip()
    assert mentions_option(all_text(), option), f"{where} {option} appears in neither README.md nor docs/"


@pytest.mark.parametrize("name", sorted(newspairs.__all__))
def test_every_public_name_is_documented(name):
    assert mentions_name(all_text(), name), f"newspairs.{name} appears in neither README.md nor docs/ as code"


@pytest.mark.parametrize(
    ("text", "command", "name", "option", "found"),
    [
        ("`export(source, out)`, then `newspairs export OUT`", "export", "export", "--out", (True, True, False)),
        ("newspairs exporter and `exports`", "export", "export", "--out", (False, False, False)),
        ("`newspairs train-tokenizer --out-dir`", "train", "train", "--out", (False, False, False)),
        ("newspairs.load(config='lines') with --out DIR", "load", "load", "--out", (False, True, True)),
    ],
    ids=["code-span", "longer-words", "longer-command-and-option", "dotted-name"],
)
def test_a_mention_is_a_whole_word(text, command, name, option, found):
    assert (mentions_command(text, command), mentions_name(text, name), mentions_option(text, option)) == found


def test_the_readme_keeps_the_two_set_up_commands():
    text = README.read_text(encoding="utf-8")
    assert "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && newspairs demo" in text
    assert "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && python -m pytest" in text


def relative_links() -> list[tuple[str, str]]:
    found = []
    for page, text in documentation().items():
        text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
        for target in LINK.findall(text):
            if not re.match(r"[a-z]+:", target):
                found.append((page.relative_to(REPO).as_posix(), target))
    return found


@pytest.mark.parametrize(("page", "target"), relative_links(), ids=lambda value: value)
def test_every_relative_link_resolves(page, target):
    path, _, anchor = target.partition("#")
    linked = (REPO / page).parent / path if path else REPO / page
    assert linked.exists(), f"{page}: link to {target}, which does not exist"
    if anchor:
        assert anchor in anchors(linked.read_text(encoding="utf-8")), f"{page}: no heading for #{anchor} in {path or page}"
