"""The held bin from the command line: `pending --held` and `--suspected` with each story's
reasons, the notice under the queue, `release`, and `purge` on the bin's own schedule."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import store_calls as calls
from cli_support import Cli
from stories_support import FakeClock, add

from reader_stories.models import Hold, HoldKind, Status
from reader_stories.moderation.spam.score import arrived
from reader_stories.store import Store, utc_now

SUSPECTED = Hold(HoldKind.SUSPECTED, ("spam score 7 (held from 5)", "3 links (+2)"))
BLOCKED = Hold(HoldKind.BLOCKED, ("its writer is blocked",))


@pytest.fixture
def cli(tmp_path: Path, db_url: str, store: Store) -> Cli:
    return Cli(tmp_path, db_url)


def hold(store: Store, clock: FakeClock, the_hold: Hold, text: str) -> int:
    story = add(store, clock, hold=the_hold, body_markdown=text)
    with store.writing() as tx:
        arrived(tx, story, None)
    return story.id


def test_pending_held_lists_every_kind_with_reasons_and_suspected_only_its_own(
    cli: Cli, store: Store, clock: FakeClock
) -> None:
    suspect = hold(store, clock, SUSPECTED, "Cheap followers, buy them now today.")
    blocked = hold(store, clock, BLOCKED, "A blocked writer's story, long enough.")
    ran = cli("pending", "--held")
    assert ran.code == 0, ran.err
    lines = ran.out_lines
    assert lines[0] == "2 stories held apart from the queue (newest first):"
    assert lines[1].startswith(f"#{blocked} ") and "  blocked  by Ada: A blocked" in lines[1]
    assert lines[2] == "         - its writer is blocked"
    assert lines[3].startswith(f"#{suspect} ") and "  suspected  by Ada: Cheap" in lines[3]
    assert lines[4:6] == ["         - spam score 7 (held from 5)", "         - 3 links (+2)"]
    suspected = cli("pending", "--suspected").out_lines
    assert suspected[0] == "1 story suspected of spam (newest first):"
    assert f"#{blocked} " not in cli("pending", "--suspected").out
    records = json.loads(cli("pending", "--held", "--json").out)
    assert [(r["id"], r["held"], r["reasons"]) for r in records] == [
        (blocked, "blocked", ["its writer is blocked"]),
        (suspect, "suspected", list(SUSPECTED.reasons)),
    ]
    assert "email" not in records[0] and "ip_hash" not in records[0]


def test_the_queue_says_how_many_are_held_and_what_was_held_today(
    cli: Cli, store: Store, clock: FakeClock
) -> None:
    clock.now = utc_now()  # the command counts the last day on the machine's clock
    add(store, clock, body_markdown="A reader's story waiting in the queue.")
    assert "held apart" not in cli("pending").out  # nothing held: no notice
    hold(store, clock, SUSPECTED, "Cheap followers, buy them now today.")
    lines = cli("pending").out_lines
    assert lines[0] == "1 waiting for moderation (newest first, as in the admin):"
    assert lines[2:4] == [
        "1 story is held apart from the queue (`pending --held` lists them).",
        "Held over the last day: 1 (1 suspected).",
    ]


def test_release_puts_stories_in_the_queue_and_names_what_it_could_not(
    cli: Cli, store: Store, clock: FakeClock
) -> None:
    suspect = hold(store, clock, SUSPECTED, "Cheap followers, buy them now today.")
    queued = add(store, clock, body_markdown="A reader's story waiting in the queue.")
    ran = cli("release", f"{suspect},{queued.id},999")
    assert ran.code == 1
    assert ran.out_lines == [f"#{suspect} put in the queue (handling-job-rejection, by Ada)"]
    assert ran.err_lines == [
        f"#{queued.id} skipped: it is in the queue already.",
        "#999 not found: there is no story with this id.",
        "2 of 3 stories not put in the queue.",
    ]
    assert store.get(suspect).hold is None
    assert cli("release", "x1").err_lines == [
        "'x1' is not a story id; ids are whole numbers like 12."
    ]


def test_spam_confirms_held_stories(cli: Cli, store: Store, clock: FakeClock) -> None:
    confirmed = hold(store, clock, SUSPECTED, "Cheap followers, buy them now today.")
    assert cli("spam", str(confirmed)).code == 0
    assert store.get(confirmed).status == Status.SPAM and store.get(confirmed).hold is None


def test_purge_empties_the_bin_on_its_own_schedule(
    cli: Cli, store: Store, clock: FakeClock
) -> None:
    clock.now = utc_now() - timedelta(days=15)  # past the bin's 14 days, within the purge's 30
    confirmed = hold(store, clock, SUSPECTED, "Cheap followers, buy them now today.")
    forgotten = hold(store, clock, SUSPECTED, "Another suspected story, long enough.")
    calls.set_status(store, confirmed, Status.SPAM, actor="moderator")
    ran = cli("purge")
    assert ran.code == 0, ran.err
    assert ran.out_lines[-1] == "Removed 1 held story nobody looked at in 14 days."
    with store.reading() as tx:
        assert tx.find(forgotten) is None
        assert tx.find(confirmed) is not None  # spam keeps the 30 days of the purge
