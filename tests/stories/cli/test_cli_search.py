"""`reader-stories pending` and `list` take the admin's filters: article, status, writer, words,
network; newest first as in the admin, a line per story, bad options said in words (exit 1).

Each test runs on SQLite and PostgreSQL, through ``main`` as `reader-stories` runs it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import Cli
from stories_support import FakeClock, add, add_with_status

from reader_stories.models import Status
from reader_stories.store import Store

NET = "c3" * 32


@pytest.fixture
def cli(tmp_path: Path, db_url: str, store: Store) -> Cli:
    return Cli(tmp_path, db_url)


def test_pending_narrowed_by_each_filter(cli: Cli, store: Store, clock: FakeClock) -> None:
    ada = add(store, clock, name="Ada", email="ada@example.org", body_markdown="Two offers came.")
    bo = add(store, clock, name="Bo", article="salary-talk", ip_hash=NET)
    add_with_status(store, Status.APPROVED, name="Ada", body_markdown="Approved, not pending.")
    for options, expected in (
        (["--writer", "ADA"], [ada]),
        (["--writer", "ada@example.org", "--exact"], [ada]),
        (["--writer", "ad", "--exact"], []),
        (["--article", "salary-talk"], [bo]),
        (["--text", "two OFFERS"], [ada]),
        (["--network", NET[:8]], [bo]),
        ([], [bo, ada]),
    ):
        ran = cli("pending", *options)
        assert ran.code == 0, ran.err
        listed = [line.split()[0] for line in ran.out_lines if line.startswith("#")]
        assert listed == [f"#{story.id}" for story in expected], options
    narrowed = cli("pending", "--writer", "ADA")
    assert narrowed.out_lines[0] == (
        "1 waiting for moderation matching writer contains “ADA” (newest first, as in the admin):"
    )
    nothing = cli("pending", "--text", "no such words")
    assert nothing.out_lines[0] == (
        "No stories waiting for moderation matching text contains “no such words”."
    )


def test_list_shows_every_status_newest_first_with_its_status(
    cli: Cli, store: Store, clock: FakeClock
) -> None:
    older = add_with_status(store, Status.SPAM, name="Cy", body_markdown="Cheap pills here.")
    clock.advance(seconds=1)
    newer = add(store, clock, name="Cy", body_markdown="A real story\n\nin two paragraphs.")
    ran = cli("list", "--writer", "cy")
    assert ran.code == 0, ran.err
    assert ran.out_lines == [
        "2 stories matching writer contains “cy”, newest first, as in the admin:",
        f"#{newer.id:<5} {newer.created:%Y-%m-%d %H:%M}  pending   handling-job-rejection  "
        "by Cy: A real story in two paragraphs.",
        f"#{older.id:<5} {older.created:%Y-%m-%d %H:%M}  spam      handling-job-rejection  "
        "by Cy: Cheap pills here.",
    ]
    spam = cli("list", "--status", "SPAM", "--json")
    assert [record["id"] for record in json.loads(spam.out)] == [older.id]
    assert "email" not in spam.out


def test_list_limit_says_how_many_match(cli: Cli, store: Store, clock: FakeClock) -> None:
    stories = [add(store, clock, body_markdown=f"Story number {n} here.") for n in range(3)]
    ran = cli("list", "--limit", "2")
    assert ran.out_lines[0] == "2 of 3 (--limit) stories, newest first, as in the admin:"
    assert [line.split()[0] for line in ran.out_lines[1:]] == [
        f"#{stories[2].id}",
        f"#{stories[1].id}",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["list", "--status", "deleted"],
            "There is no status 'deleted': use pending, approved, rejected, spam or all.",
        ),
        (
            ["pending", "--network", "xyz"],
            "'xyz' is not a network hash: it is written in the digits 0-9 and letters a-f, 6 to "
            "64 of them (a story card shows the first 8).",
        ),
        (
            ["list", "--text", "w" * 10_000],
            "The text to look for is 10000 characters long; use 200 or fewer.",
        ),
        (
            ["list", "--limit", "lots"],
            "--limit takes a whole number, like --limit 100; not 'lots'.",
        ),
        (["list", "--limit", "0"], "--limit takes a whole number from 1 up, like --limit 100."),
    ],
)
def test_bad_options_are_said_in_words(
    cli: Cli, store: Store, argv: list[str], message: str
) -> None:
    add(store)
    ran = cli(*argv)
    assert (ran.code, ran.out, ran.err_lines) == (1, "", [message])
