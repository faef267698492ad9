"""Writers' changes to published stories from the command line: listed by `pending` and `show`
with what they change, approved or rejected by id, and a clear line when none waits."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cli_support import Cli
from stories_support import FakeClock, add, add_with_status

from reader_stories.models import Status, Story
from reader_stories.store import Store

FIRST = "The interview went badly and I said nothing useful at all."
SECOND = "The second interview went well, and I said what I meant."


@pytest.fixture
def cli(tmp_path: Path, db_url: str, store: Store) -> Cli:
    return Cli(tmp_path, db_url)


def with_change(store: Store, clock: FakeClock) -> Story:
    story = add_with_status(store, Status.APPROVED, name="Ada", body_markdown=FIRST)
    clock.advance(hours=1)
    with store.writing() as tx:
        tx.revise_by_writer(story.id, SECOND, "Ada L.", timedelta(hours=24))
    return story


def test_pending_and_show_list_the_change_word_by_word(
    cli: Cli, store: Store, clock: FakeClock
) -> None:
    story = with_change(store, clock)
    waiting = add(store, clock, name="Ben", body_markdown="A story still waiting to be read.")
    ran = cli("pending")
    assert ran.code == 0
    lines = ran.out_lines
    assert lines[0] == "1 waiting for moderation (newest first, as in the admin):"
    assert lines[1].startswith(f"#{waiting.id:<5}")
    start = lines.index(
        "1 change to published stories waiting (the page shows the published version until "
        "one is approved; comments.approve-change ID or comments.reject-change ID):"
    )
    assert lines[start + 1] == (
        f"#{story.id:<5} {clock.now - timedelta(seconds=1):%Y-%m-%d %H:%M}  "
        "handling-job-rejection  by Ada"
    )
    assert lines[start + 2] == "  name: 'Ada' -> 'Ada L.'"
    assert lines[start + 3] == (
        "  The {+second+} interview went [-badly-]{+well,+} and I said "
        "[-nothing useful at all.-]{+what I meant.+}"
    )
    shown = cli("show", str(story.id)).out
    assert "  name: 'Ada' -> 'Ada L.'" in shown and "[-badly-]{+well,+}" in shown


def test_approve_change_and_reject_change(cli: Cli, store: Store, clock: FakeClock) -> None:
    approved, rejected = with_change(store, clock), with_change(store, clock)
    ran = cli("approve-change", str(approved.id))
    assert ran.code == 0
    assert ran.out_lines[0] == (
        f"#{approved.id}: its writer's change is approved and published "
        "(handling-job-rejection, by Ada L.); it shows as edited."
    )
    assert store.get(approved.id).body_markdown == SECOND
    ran = cli("reject-change", str(rejected.id), "--reason", "names the firm")
    assert ran.code == 0
    assert ran.out_lines == [
        f"#{rejected.id}: its writer's change is rejected; the published version stays."
    ]
    assert store.get(rejected.id).body_markdown == FIRST
    assert "to published stories waiting" not in cli("pending").out


def test_no_change_waiting_is_said_with_exit_status_1(cli: Cli, store: Store) -> None:
    story = add_with_status(store, Status.APPROVED, body_markdown=FIRST)
    ran = cli("approve-change", str(story.id))
    assert (ran.code, ran.err_lines) == (
        1,
        [f"Story #{story.id} has no change from its writer waiting; nothing was changed."],
    )
    bad = cli("reject-change", "12x")
    assert bad.code == 1 and bad.err_lines == [
        "'12x' is not a story id; ids are whole numbers like 12."
    ]
