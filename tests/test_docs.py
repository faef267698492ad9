"""The README keeps up with the code: every task is documented there and has help text."""

from __future__ import annotations

from pathlib import Path

from invoke.loader import FilesystemLoader

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
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


def test_every_comments_setting_is_in_the_readme() -> None:
    from reader_stories.settings import ENVIRONMENT

    for key, variable in ENVIRONMENT.items():
        assert f"`{key}`" in README and f"`{variable}`" in README, key
