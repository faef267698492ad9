"""The privacy check from the command line: `show` lists findings, `redact` takes one out."""

from __future__ import annotations

from pathlib import Path

import pytest
import store_calls as calls
from cli_support import Cli
from stories_support import add

from reader_stories.store import Store

STORY = 'The recruiter, Sarah Jones, wrote from sarah@hiring.example to say "no".'


@pytest.fixture
def cli(tmp_path: Path, db_url: str, store: Store) -> Cli:
    return Cli(tmp_path, db_url)


def test_show_lists_each_finding_with_the_command_that_takes_it_out(cli: Cli, store: Store) -> None:
    story = add(store, body_markdown=STORY)
    ran = cli("show", str(story.id))
    assert ran.code == 0
    lines = ran.out_lines
    start = lines.index("Personal data to check before it is public:")
    assert lines[start + 1 : start + 3] == [
        f'  probable personal name: "Sarah Jones"  (invoke comments.redact {story.id} '
        '"Sarah Jones" writes [name removed])',
        f'  email address: "sarah@hiring.example"  (invoke comments.redact {story.id} '
        '"sarah@hiring.example" writes [email removed])',
    ]


def test_show_says_nothing_of_privacy_when_nothing_is_found(cli: Cli, store: Store) -> None:
    story = add(store, body_markdown="Nothing personal here, only advice about interviews.")
    assert "Personal data" not in cli("show", str(story.id)).out


def test_redact_takes_the_text_out_everywhere(cli: Cli, store: Store) -> None:
    story = add(store, body_markdown=STORY + " Thanks, Sarah Jones.")
    ran = cli("redact", str(story.id), "Sarah Jones")
    assert ran.code == 0, ran.err
    assert ran.out_lines == [f"#{story.id} edited; it shows as edited by a moderator."]
    body = store.get(story.id).body_markdown
    assert body.count("[name removed]") == 2 and "Sarah Jones" not in body
    events = calls.events(store, story.id)
    assert (events[-1].action.value, events[-1].note) == (
        "edited",
        "redacted: probable personal name",
    )


def test_redact_of_text_that_is_not_there_says_so(cli: Cli, store: Store) -> None:
    story = add(store, body_markdown=STORY)
    ran = cli("redact", str(story.id), "Someone Else")
    assert ran.code == 1
    assert '"Someone Else" is no longer in the story' in ran.err
    assert "Traceback" not in ran.err
    assert store.get(story.id).body_markdown == STORY


def test_redact_of_any_chosen_text_writes_removed(cli: Cli, store: Store) -> None:
    story = add(store, body_markdown=STORY)
    assert cli("redact", str(story.id), "recruiter").code == 0
    assert store.get(story.id).body_markdown.startswith("The [removed], Sarah Jones")
