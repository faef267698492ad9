"""`edit` from the command line: the rules of the story form, a name that can be fixed, and
messages that speak to the moderator (on SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
import store_calls as calls
from cli_support import AUTHOR, Cli
from stories_support import add, add_with_status

from reader_stories.models import Status
from reader_stories.store import Store


@pytest.fixture
def cli(tmp_path: Path, db_url: str, store: Store) -> Cli:
    return Cli(tmp_path, db_url)


def history(store: Store, story_id: int) -> list[tuple[str, str | None]]:
    return [(e.action.value, e.note) for e in calls.events(store, story_id)]


def test_a_text_the_form_would_refuse_is_refused_and_nothing_changes(
    cli: Cli, store: Store
) -> None:
    story = add_with_status(store, Status.APPROVED)
    ran = cli("edit", str(story.id), "--text", "short")
    assert ran.code == 1
    assert ran.err_lines == [
        "--text: The new text has 5 characters; a story needs at least 20, as at the form.",
        "Nothing was changed.",
    ]
    assert store.get(story.id) == story


def test_links_count_as_at_the_form_bare_addresses_included(cli: Cli, store: Store) -> None:
    story = add(store)
    text = "Three places: https://a.example/x, [b](https://b.example) and www.c.example too."
    ran = cli("edit", str(story.id), "--text", text)
    assert ran.code == 1
    assert ran.err_lines[0] == (
        "--text: The new text has 3 links; stories may have at most 2 links (COMMENTS_MAX_LINKS)."
    )
    assert not store.get(story.id).edited


def test_without_text_or_name_the_command_says_how_to_give_them(cli: Cli, store: Store) -> None:
    story = add(store)
    ran = cli("edit", str(story.id))
    assert (ran.code, ran.out) == (1, "")
    assert ran.err == (
        'Nothing to change: give the new text with --text "..." or --file FILE, or the '
        'writer\'s new name with --name "...".\n'
    )
    empty = cli("edit", str(story.id), "--text", "   ")
    assert empty.err_lines[0] == (
        "--text: The new text is empty; a story has between 20 and 5,000 characters."
    )


def test_the_text_can_come_from_a_file(cli: Cli, store: Store, tmp_path: Path) -> None:
    story = add(store)
    source = tmp_path / "story.md"
    source.write_text("A new text, read from a file.\n", encoding="utf-8")
    ran = cli("edit", str(story.id), "--file", str(source))
    assert ran.code == 0, ran.err
    assert store.get(story.id).body_markdown == "A new text, read from a file."
    missing = cli("edit", str(story.id), "--file", str(tmp_path / "nope.md"))
    assert (
        missing.err
        == f"There is no file {tmp_path / 'nope.md'}; give --file the path of a text file.\n"
    )
    folder = cli("edit", str(story.id), "--file", str(tmp_path))
    assert folder.err == f"{tmp_path} is a folder; give --file the path of a text file.\n"
    both = cli("edit", str(story.id), "--file", str(source), "--text", "Twice the text given.")
    assert both.err == "Give the text once: with --text or with --file, not both.\n"


def test_the_name_can_be_edited_and_the_history_says_so(cli: Cli, store: Store) -> None:
    story = add_with_status(store, Status.APPROVED, name="Ada Surname-Kept")
    ran = cli("edit", str(story.id), "--name", "  Ada   K. ")
    assert ran.code == 0, ran.err
    assert ran.out_lines[0] == f"#{story.id} edited; it shows as edited by a moderator."
    edited = store.get(story.id)
    assert (edited.name, edited.body_markdown, edited.edited) == (
        "Ada K.",
        story.body_markdown,
        True,
    )
    assert history(store, story.id)[-1] == ("edited", "name changed")
    assert "Surname-Kept" not in str(history(store, story.id))

    both = cli("edit", str(story.id), "--name", "Ada", "--text", "A wholly new text for it.")
    assert both.code == 0
    assert history(store, story.id)[-1] == ("edited", "text and name changed")
    text_only = cli("edit", str(story.id), "--text", "Another new text, name kept.")
    assert text_only.code == 0 and history(store, story.id)[-1] == ("edited", None)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "--name: Give the writer's name (up to 80 characters); it cannot be empty."),
        ("x" * 81, "--name: The name must be 80 characters or fewer; the new one has 81."),
        (
            f"the {AUTHOR.upper()}",
            f"--name: The name must not be or contain “{AUTHOR}”, however it is written: "
            "readers cannot sign with the site's own name, and an edit cannot give it to them "
            "either.",
        ),
        (
            "Mia Author",
            "--name: The name must not end with the word “Author”, which marks the site's own "
            "replies.",
        ),
    ],
)
def test_a_name_the_form_would_refuse_is_refused(
    cli: Cli, store: Store, name: str, message: str
) -> None:
    story = add(store)
    ran = cli("edit", str(story.id), "--name", name)
    assert ran.code == 1 and ran.err_lines == [message, "Nothing was changed."]
    assert store.get(story.id) == story


def test_an_author_reply_keeps_its_name_but_its_text_can_change(cli: Cli, store: Store) -> None:
    story = add_with_status(store, Status.APPROVED)
    with store.writing() as tx:
        reply = tx.add_author_reply(story.id, "Thanks!", author_name=AUTHOR, actor=AUTHOR)
    short = cli("edit", str(reply.id), "--text", "Thank you!")  # the site's own words: no minimum
    assert short.code == 0 and store.get(reply.id).body_markdown == "Thank you!"
    renamed = cli("edit", str(reply.id), "--name", "Someone")
    assert renamed.err_lines[0] == (
        f"--name: Story #{reply.id} is the site author's reply: its name is the author's and "
        "cannot be edited."
    )
