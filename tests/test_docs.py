"""The docs keep up with the code: tasks, settings, commands and folders are where the docs say."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from invoke.loader import FilesystemLoader
from invoke.parser import ParseError, Parser

from reader_stories.cli import COMMANDS
from reader_stories.settings import ENVIRONMENT

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"
# tasks.py as invoke itself finds and loads it.
tasks, _ = FilesystemLoader(start=str(ROOT)).load("tasks")


def all_tasks(collection, prefix=""):
    for name, task in collection.tasks.items():
        yield prefix + name, task
    for name, sub in collection.collections.items():
        yield from all_tasks(sub, f"{prefix}{name}.")


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "make serve" in first_block and "make test" in first_block


def test_every_task_is_in_the_readme_and_has_help() -> None:
    found = list(all_tasks(tasks.namespace))
    assert len(found) >= 11
    for name, task in found:
        assert f"`invoke {name}" in README, f"invoke {name} is not documented in README.md"
        assert (task.__doc__ or "").strip(), f"invoke {name} has no docstring"


def written_commands() -> list[tuple[str, str]]:
    """Every `invoke ...` command line in the README's and the docs' code, as (page, line).

    Shell blocks and code spans count; drawings do not. A bare task name in running text
    (`invoke new`) names the task; it is not a command line.
    """
    found = []
    pattern = r"\binvoke ([a-z][^\n`|;&#)]*)"
    for page in [ROOT / "README.md", *DOCS.glob("*.md"), ROOT / "stories/README.md"]:
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"```(?:sh|console)\n(.*?)```", text, re.S):
            found += [(page.name, line) for line in re.findall(pattern, block)]
        for span in re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S)):
            found += [
                (page.name, line) for line in re.findall(pattern, span) if " " in line.strip()
            ]
    return [(page, line.strip().rstrip("'")) for page, line in found]


def test_every_invoke_command_in_the_docs_parses_as_written() -> None:
    """A reader who copies a command gets the task and options it names, not "No idea what
    'x' is!" (placeholders such as ID or FILE stand for values)."""
    parser = Parser(contexts=tasks.namespace.to_contexts())
    commands = [(page, line) for page, line in written_commands() if "*" not in line]
    assert len(commands) > 12
    for page, line in commands:
        if line.split()[0] == "comments.COMMAND":
            continue
        try:
            parser.parse_argv(shlex.split(line))
        except ParseError as problem:
            raise AssertionError(f"{page}: `invoke {line}` does not parse: {problem}") from None


def test_every_comments_setting_is_in_the_operations_guide() -> None:
    operations = (DOCS / "operations.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip() for line in operations.splitlines() if line.startswith("| `")
    }
    for key, variable in ENVIRONMENT.items():
        assert f"`{key}`" in rows, f"{key} has no row in docs/operations.md"
        assert f"`{variable}`" in operations, variable


def test_every_moderation_command_is_in_the_stories_guide() -> None:
    stories = (DOCS / "stories.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"| `{command}" in stories, f"reader-stories {command} is not in docs/stories.md"


def test_every_local_link_in_the_docs_leads_somewhere() -> None:
    pages = [ROOT / "README.md", *DOCS.glob("*.md"), ROOT / "stories/README.md"]
    for page in [*pages, ROOT / "tips/README.md"]:
        # Code (fenced blocks and `spans`) shows what an author types, not a link of the page.
        prose = re.sub(r"```.*?```|`[^`\n]+`", "", page.read_text(encoding="utf-8"), flags=re.S)
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", prose):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_every_folder_and_module_the_architecture_names_exists() -> None:
    """Each path that starts a line of the layout drawing is in the tree (lines indented far
    are the descriptions' continuations)."""
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    drawing = text.split("## Layout", 1)[1].split("```", 2)[1]
    named = []
    for line in drawing.splitlines():
        if len(line) - len(line.lstrip()) > 8:
            continue
        paths = re.match(r"\s*([\w./-]+(?:, [\w./-]+)*)", line)
        for part in paths.group(1).split(", ") if paths else []:
            if part and not part.startswith("."):
                named.append(part)
    assert len(named) > 30
    prefixes = {"tipboxes/": "tips/", "reader_stories/": "stories/"}
    for name in named:
        relative = next((prefixes[p] + name for p in prefixes if name.startswith(p)), name)
        assert (ROOT / relative).exists(), f"docs/architecture.md names {name}, which is not there"
