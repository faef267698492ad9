"""Blocks, the hold list and closing from the command line, on SQLite and PostgreSQL: what each
command says, what it changes, and clear refusals with exit status 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import Cli
from stories_support import FakeClock, add, submission

from reader_stories.models import Hold, HoldKind
from reader_stories.moderation.blocks import email_hash
from reader_stories.moderation.holds import hold_for
from reader_stories.store import Store
from reader_stories.store.blocks import BlockKind

SECRET = "cli-tests-" + "s" * 40


@pytest.fixture
def cli(tmp_path: Path, db_url: str, store: Store) -> Cli:
    return Cli(tmp_path, db_url)


def test_block_by_email_for_days_then_list_then_unblock(cli: Cli, store: Store) -> None:
    ran = cli("block", "--email", "Ayo@Example.com", "--days", "7", "--note", "abusive")
    assert ran.code == 0, ran.err
    assert ran.out_lines[0].startswith("Block #1: by email, until ")
    assert ran.out_lines[1] == (
        "Their new stories are taken as any other, then held for review; they are not told."
    )
    with store.reading() as tx:
        block = tx.active_block(BlockKind.EMAIL, email_hash(SECRET, "ayo@example.com"))
    assert block is not None and block.note == "abusive"

    listed = cli("blocks")
    assert listed.out_lines[0] == "1 active of 1:"
    assert listed.out_lines[1].startswith("#1 active: by email, until ")
    assert listed.out_lines[1].endswith('— "abusive"')
    assert "ayo" not in listed.out.lower()

    lifted = cli("unblock", "--email", "ayo@example.com")
    assert lifted.code == 0 and lifted.out_lines[0].startswith("Block #1 lifted (by email")
    assert cli("blocks").out_lines[0] == "0 active of 1:"
    again = cli("unblock", "1")
    assert (again.code, again.err.strip()) == (
        1,
        "Block #1 is not active any more; nothing was changed.",
    )


def test_block_the_writer_of_a_story_by_both_for_good(
    cli: Cli, store: Store, clock: FakeClock
) -> None:
    story = add(store, email="ben@example.com", notify=True, ip_hash="b" * 64)
    ran = cli("block", "--story", str(story.id), "--forever")
    assert ran.code == 0, ran.err
    assert ran.out_lines[:2] == ["Block #1: by email, for good.", "Block #2: by network, for good."]
    clock.advance(days=3650)
    later = submission(email=None, ip_hash="b" * 64)  # no address now: the network holds it
    with store.reading() as tx:
        hold = hold_for(tx, later, SECRET)
    assert hold == Hold(HoldKind.BLOCKED, ("its writer is blocked (by network, for good)",))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["block", "--days", "7"], "Name the writer: --email ADDRESS, --network HASH or --story"),
        (["block", "--email", "a@example.com"], "Say how long: --days N (like --days 7)"),
        (["block", "--email", "a@example.com", "--days", "7", "--forever"], "Say how long"),
        (["block", "--email", "a@example.com", "--days", "soon"], "--days takes a whole number"),
        (["block", "--email", "a@example.com", "--days", "0"], "A block lasts 1 to 36,500 days"),
        (["block", "--email", "nobody", "--forever"], "--email takes an address like"),
        (["block", "--network", "abc", "--forever"], "--network takes the 64-character"),
        (["block", "--story", "99", "--forever"], "No story with id 99"),
        (["unblock", "7"], "There is no block #7."),
        (["unblock", "--email", "a@example.com"], "No active block on this writer"),
    ],
)
def test_bad_block_commands_say_what_to_fix(cli: Cli, argv: list[str], message: str) -> None:
    ran = cli(*argv)
    assert ran.code == 1
    assert message in ran.err
    assert "Traceback" not in ran.err


def test_hold_list_adds_removes_and_prints(cli: Cli, store: Store) -> None:
    ran = cli(
        "hold-list",
        "--add-word",
        "Casino",
        "--add-word",
        "easy  money",
        "--add-domain",
        "https://Bit.ly/x",
    )
    assert ran.code == 0, ran.err
    assert ran.out_lines == [
        "Added word 'casino'.",
        "Added word 'easy money'.",
        "Added domain 'bit.ly'.",
        "Words (2): casino, easy money",
        "Domains (1): bit.ly",
    ]
    ran = cli("hold-list", "--remove-word", "CASINO", "--add-word", "easy money")
    assert ran.out_lines == [
        "'easy money' was listed.",
        "Removed word 'casino'.",
        "Words (1): easy money",
        "Domains (1): bit.ly",
    ]
    bad = cli("hold-list", "--add-domain", "not a domain", "--add-word", "fine")
    assert bad.code == 1 and "is not a domain; write it like bit.ly" in bad.err
    assert cli("hold-list").out_lines == ["Words (1): easy money", "Domains (1): bit.ly"]


def test_close_and_reopen_without_a_built_site(cli: Cli, store: Store) -> None:
    ran = cli("close", "asking-for-a-raise")
    assert ran.code == 0, ran.err
    assert ran.out_lines[0] == (
        "Stories on asking-for-a-raise are closed: its page shows a note instead of the form."
    )
    with store.reading() as tx:
        assert tx.article_closed("asking-for-a-raise")
    assert cli("close", "asking-for-a-raise").out_lines == [
        "Stories on asking-for-a-raise were closed already; nothing was changed."
    ]
    assert cli("reopen", "asking-for-a-raise").out_lines[0] == (
        "Stories on asking-for-a-raise are open again: its form is back."
    )
    bad = cli("close", "../x")
    assert bad.code == 1 and "is not an article's slug" in bad.err
